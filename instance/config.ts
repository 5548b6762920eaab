/**
 * The reference Scripting instance's configuration: parsed once (JSON or YAML), validated completely (every problem
 * reported, each naming its key), then handed around as a typed, defaulted, read-only value.
 *
 * The file's schema is contract/instanceConfig.ts: shapes, types, ranges and defaults are checked by its compiled
 * validator. This module adds only what a schema cannot say: URL protocols, blank values, names unique (some beyond
 * case), External Link rules and the cross-field rules (Named licence size, back-off bounds).
 */
import { readFileSync } from 'fs';
import { extname } from 'path';
import { parse as parseYaml } from 'yaml';
import validateInstanceConfigFile from '../contract/generated/InstanceConfigFile';
import {
  CONFIG_DEFAULTS,
  type CampaignConfig as CampaignEntry,
  type ExternalLink,
  type InstanceConfigFile,
  type LicenceConfig as LicenceEntry,
  type LogLevel,
} from '../contract/instanceConfig';
import { problemsOf, type CompiledValidator } from '../contract/problems';

export type { ExternalLink, LogLevel };

type NamedLicence = Extract<LicenceEntry, { type: 'Named' }>;
/** The licence with its defaults: a Named licence always has its `assigned` list. */
export type LicenceConfig = Readonly<
  Exclude<LicenceEntry, NamedLicence> | (NamedLicence & { readonly assigned: readonly string[] })
>;

/** A campaign with its defaults. External Links are keyed as written; matched case-insensitively to ScriptData keys. */
export type CampaignConfig = Readonly<Required<CampaignEntry>>;

type Resolved = Readonly<
  Required<Omit<InstanceConfigFile, 'plugin' | 'reconnect' | 'licence' | 'campaigns' | 'agents'>>
>;

export interface InstanceConfig extends Resolved {
  readonly plugin: { readonly enabled: boolean };
  readonly licence: LicenceConfig;
  readonly campaigns: readonly CampaignConfig[];
  /** Agents on the Desktop when the instance starts. */
  readonly agents: readonly string[];
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid instance config (${source}):\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

type Obj = Record<string, unknown>;

const isObject = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : typeof value;
const child = (path: string, key: string | number) =>
  typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
const VARIABLE_PREFIX = /^var_/i;

/**
 * The compiled schema, less two kinds of error the rules below say better: the `if` that only repeats that a licence
 * variant failed, and an External Link naming both or neither target (min/maxProperties, used by that schema alone).
 */
const validateFile: CompiledValidator = Object.assign(
  (value: unknown) => {
    const valid = validateInstanceConfigFile(value);
    validateFile.errors = validateInstanceConfigFile.errors?.filter(
      (error) => !['if', 'minProperties', 'maxProperties'].includes(error.keyword),
    );
    return valid;
  },
  { errors: null },
);

/** `http:`/`https:` or `ws:`/`wss:` URLs that parse. */
function urlProblems(raw: Obj): string[] {
  const expected: Record<string, readonly string[]> = {
    authUrl: ['http:', 'https:'],
    refreshUrl: ['http:', 'https:'],
    webSocketUrl: ['ws:', 'wss:'],
  };
  const problems: string[] = [];
  for (const [key, protocols] of Object.entries(expected)) {
    const text = raw[key];
    if (typeof text !== 'string' || text.trim() === '') continue;
    let protocol: string;
    try {
      protocol = new URL(text).protocol;
    } catch {
      problems.push(`${key}: is not a valid URL: "${text}"`);
      continue;
    }
    if (!protocols.includes(protocol)) {
      problems.push(`${key}: must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL, got "${text}"`);
    }
  }
  return problems;
}

/** Every string value that is only spaces (the schema already refuses empty ones). */
function blankProblems(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return value !== '' && value.trim() === '' ? [`${path}: must not be empty`] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => blankProblems(item, child(path, index)));
  if (isObject(value)) return Object.entries(value).flatMap(([key, item]) => blankProblems(item, child(path, key)));
  return [];
}

/** A repeated name is an error naming both positions; `foldCase` also catches names that differ only by case. */
function duplicateProblems(list: unknown, path: string, foldCase = false): string[] {
  if (!Array.isArray(list)) return [];
  const seen = new Map<string, number>();
  const problems: string[] = [];
  list.forEach((name, index) => {
    if (typeof name !== 'string' || name.trim() === '') return;
    const key = foldCase ? name.toLowerCase() : name;
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else problems.push(`${child(path, index)}: "${name}" is already listed at ${child(path, first)}`);
  });
  return problems;
}

function campaignNameProblems(campaigns: unknown[]): string[] {
  const seen = new Map<string, number>();
  const problems: string[] = [];
  campaigns.forEach((campaign, index) => {
    const name = isObject(campaign) ? campaign.name : undefined;
    if (typeof name !== 'string' || name.trim() === '') return;
    const first = seen.get(name.toLowerCase());
    if (first === undefined) seen.set(name.toLowerCase(), index);
    else
      problems.push(
        `campaigns[${index}].name: "${name}" clashes with campaigns[${first}].name (campaign names must differ beyond case)`,
      );
  });
  return problems;
}

/** One link: a Field, or a Workflow Variable for `var_` names only. */
function linkProblems(path: string, name: string, target: unknown): string[] {
  if (!isObject(target)) return [];
  const hasField = 'field' in target;
  const hasVariable = 'variable' in target;
  if (hasField && hasVariable) return [`${path}: must name either a field or a variable, not both`];
  if (!hasField && !hasVariable) return [`${path}: must name a "field" or a "variable"`];
  const isVariableName = VARIABLE_PREFIX.test(name);
  if (hasVariable && !isVariableName)
    return [`${path}: only "var_" keys fill Workflow Variables; rename it "var_${name}" or link a field`];
  if (hasField && isVariableName) return [`${path}: "var_" keys fill Workflow Variables: use {"variable": ...}`];
  return [];
}

function externalLinkProblems(campaign: unknown, index: number): string[] {
  if (!isObject(campaign) || !isObject(campaign.externalLinks)) return [];
  const path = `campaigns[${index}].externalLinks`;
  const links = Object.entries(campaign.externalLinks);
  const problems: string[] = [];
  const byLowerCase = new Map<string, string>();
  for (const [name, target] of links) {
    const twin = byLowerCase.get(name.toLowerCase());
    if (twin !== undefined)
      problems.push(`${path}: keys "${twin}" and "${name}" differ only by case (links are case-insensitive)`);
    byLowerCase.set(name.toLowerCase(), name);
    if (name.trim() === '') problems.push(`${path}: a link name must not be empty`);
    problems.push(...linkProblems(child(path, name), name, target));
  }
  if (campaign.type === 'internal' && links.length > 0) {
    problems.push(
      `${path}: internal campaigns take ScriptData as it is; External Links apply only to external campaigns`,
    );
  }
  return problems;
}

/** The rules between keys: a Named licence's size, the back-off bounds. */
function crossFieldProblems(raw: Obj): string[] {
  const problems: string[] = [];
  const licence = raw.licence;
  if (
    isObject(licence) &&
    licence.type === 'Named' &&
    Array.isArray(licence.assigned) &&
    Number.isInteger(licence.users)
  ) {
    const users = licence.users as number;
    if (licence.assigned.length > users) {
      const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;
      problems.push(
        `licence.assigned: ${plural(licence.assigned.length, 'agent')} assigned but the Named licence has only ${plural(users, 'user')}`,
      );
    }
  }
  if (isObject(raw.reconnect)) {
    const { minMs, maxMs } = backOff(raw.reconnect);
    if (Number.isFinite(minMs) && Number.isFinite(maxMs) && minMs > maxMs) {
      problems.push(`reconnect: minMs (${minMs}) must not exceed maxMs (${maxMs})`);
    }
  }
  return problems;
}

/** The back-off bounds with their defaults; an unset maxMs is at least minMs. */
function backOff(reconnect: Obj | undefined): { minMs: number; maxMs: number } {
  const minMs = typeof reconnect?.minMs === 'number' ? reconnect.minMs : CONFIG_DEFAULTS.reconnect.minMs;
  const maxMs =
    typeof reconnect?.maxMs === 'number' ? reconnect.maxMs : Math.max(minMs, CONFIG_DEFAULTS.reconnect.maxMs);
  return { minMs, maxMs };
}

/** What the schema cannot check. Each check tolerates values the schema has already reported. */
function ruleProblems(raw: Obj): string[] {
  const campaigns = Array.isArray(raw.campaigns) ? raw.campaigns : [];
  const licence = isObject(raw.licence) ? raw.licence : {};
  return [
    ...urlProblems(raw),
    ...blankProblems(raw),
    ...campaignNameProblems(campaigns),
    ...campaigns.flatMap(externalLinkProblems),
    ...duplicateProblems(raw.agents, 'agents'),
    ...duplicateProblems(licence.assigned, 'licence.assigned'),
    ...crossFieldProblems(raw),
  ];
}

const withoutTrailingSlash = (url: string) => url.replace(/\/+$/, '');

/** The valid file with every default filled in. */
function resolve(file: InstanceConfigFile): InstanceConfig {
  const authUrl = withoutTrailingSlash(file.authUrl);
  const { licence } = file;
  return {
    authUrl,
    refreshUrl: file.refreshUrl === undefined ? `${authUrl}/refresh` : withoutTrailingSlash(file.refreshUrl),
    webSocketUrl: withoutTrailingSlash(file.webSocketUrl),
    username: file.username,
    password: file.password,
    instanceName: file.instanceName ?? file.username,
    plugin: { enabled: file.plugin?.enabled ?? CONFIG_DEFAULTS.pluginEnabled },
    licence: licence.type === 'Named' ? { ...licence, assigned: licence.assigned ?? [] } : licence,
    campaigns: (file.campaigns ?? []).map((campaign) => ({
      ...campaign,
      active: campaign.active ?? CONFIG_DEFAULTS.campaignActive,
      allowRecordCreation: campaign.allowRecordCreation ?? CONFIG_DEFAULTS.allowRecordCreation,
      externalLinks: campaign.externalLinks ?? {},
    })),
    agents: file.agents ?? [],
    heartbeatSeconds: file.heartbeatSeconds ?? CONFIG_DEFAULTS.heartbeatSeconds,
    reconnect: backOff(file.reconnect),
    maxConnectionMinutes: file.maxConnectionMinutes ?? CONFIG_DEFAULTS.maxConnectionMinutes,
    overlapSeconds: file.overlapSeconds ?? CONFIG_DEFAULTS.overlapSeconds,
    controlPort: file.controlPort ?? CONFIG_DEFAULTS.controlPort,
    publishCatalogue: file.publishCatalogue ?? CONFIG_DEFAULTS.publishCatalogue,
    logLevel: file.logLevel ?? CONFIG_DEFAULTS.logLevel,
  };
}

/** Validates an already-parsed document; throws ConfigError listing every problem. */
export function validateConfig(raw: unknown, source = 'config'): InstanceConfig {
  if (!isObject(raw)) throw new ConfigError(source, [`the document must be an object, got ${describe(raw)}`]);
  const problems = [...new Set([...problemsOf(validateFile, raw), ...ruleProblems(raw)])];
  if (problems.length > 0) throw new ConfigError(source, problems);
  return resolve(raw as InstanceConfigFile);
}

/** Parses JSON (`.json`) or YAML (`.yaml`/`.yml`); other extensions: JSON first, then YAML. */
export function parseConfigText(text: string, source = 'config'): InstanceConfig {
  const extension = extname(source).toLowerCase();
  let raw: unknown;
  try {
    if (extension === '.yaml' || extension === '.yml') raw = parseYaml(text);
    else if (extension === '.json') raw = JSON.parse(text);
    else {
      try {
        raw = JSON.parse(text);
      } catch {
        raw = parseYaml(text);
      }
    }
  } catch (error) {
    throw new ConfigError(source, [`cannot parse the file: ${(error as Error).message}`]);
  }
  return validateConfig(raw, source);
}

export function loadConfig(file: string): InstanceConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, [
      `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    ]);
  }
  return parseConfigText(text, file);
}
