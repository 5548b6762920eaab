/**
 * The reference Scripting instance's configuration: parsed once, validated completely (every problem reported, each
 * naming its key), then handed around as a typed, defaulted, read-only value. See instance/README.md for the schema.
 */
import { readFileSync } from 'fs';
import { extname } from 'path';
import { parse as parseYaml } from 'yaml';

export type LicenceConfig =
  | { readonly type: 'PerSystem' }
  | { readonly type: 'Concurrent'; readonly users: number }
  | { readonly type: 'Named'; readonly users: number; readonly assigned: readonly string[] };

/** An External Link sends one ScriptData key to a Field or (for `var_` keys) a Workflow Variable. */
export type ExternalLink = { readonly field: string } | { readonly variable: string };

export interface CampaignConfig {
  readonly name: string;
  readonly type: 'external' | 'internal';
  readonly active: boolean;
  readonly allowRecordCreation: boolean;
  readonly workflow: string;
  /** Keyed by link name as written in the config; matched case-insensitively against ScriptData keys. */
  readonly externalLinks: Readonly<Record<string, ExternalLink>>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface InstanceConfig {
  readonly authUrl: string;
  readonly refreshUrl: string;
  readonly webSocketUrl: string;
  readonly username: string;
  readonly password: string;
  readonly instanceName: string;
  readonly plugin: { readonly enabled: boolean };
  readonly licence: LicenceConfig;
  readonly campaigns: readonly CampaignConfig[];
  /** Agents on the Desktop when the instance starts. */
  readonly agents: readonly string[];
  readonly heartbeatSeconds: number;
  readonly reconnect: { readonly minMs: number; readonly maxMs: number };
  readonly maxConnectionMinutes: number;
  readonly overlapSeconds: number;
  /** 0: no control surface. */
  readonly controlPort: number;
  readonly logLevel: LogLevel;
}

export const CONFIG_DEFAULTS = {
  heartbeatSeconds: 300,
  reconnect: { minMs: 1000, maxMs: 30_000 },
  maxConnectionMinutes: 110,
  overlapSeconds: 5,
  controlPort: 0,
  logLevel: 'info' as LogLevel,
};

/** API Gateway closes a WebSocket idle for 10 minutes and caps a connection at 2 hours. */
const IDLE_TIMEOUT_SECONDS = 600;
const CONNECTION_CAP_MINUTES = 120;
const INSTANCE_NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
/** What the server accepts in a Desktop list (lambdas/domain/instanceMessages.ts): 1 to 128 characters, no controls. */
export const AGENT_NAME_PATTERN = /^[^\u0000-\u001f\u007f]{1,128}$/;

export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly issues: readonly string[],
  ) {
    super(`Invalid instance config (${source}):\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
  }
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObject = (value: Json): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const describe = (value: Json): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'string' ? 'a string' : typeof value;

/** Collects every problem instead of stopping at the first, so one run shows the whole list. */
class Checker {
  readonly issues: string[] = [];

  fail(path: string, message: string): void {
    this.issues.push(`${path}: ${message}`);
  }

  unknownKeys(path: string, value: Obj, allowed: readonly string[]): void {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) {
        this.fail(path ? `${path}.${key}` : key, `unknown key (allowed: ${allowed.join(', ')})`);
      }
    }
  }

  string(path: string, value: Json, fallback?: string): string {
    if (value === undefined && fallback !== undefined) return fallback;
    if (value === undefined) this.fail(path, 'is required');
    else if (typeof value !== 'string') this.fail(path, `must be a string, got ${describe(value)}`);
    else if (value.trim() === '') this.fail(path, 'must not be empty');
    else return value;
    return '';
  }

  url(path: string, value: Json, protocols: readonly string[], fallback?: string): string {
    const text = this.string(path, value, fallback);
    if (!text) return text;
    const before = this.issues.length;
    try {
      const url = new URL(text);
      if (!protocols.includes(url.protocol)) {
        this.fail(path, `must be a ${protocols.map((p) => p.replace(':', '')).join(' or ')} URL, got "${text}"`);
      }
    } catch {
      this.fail(path, `is not a valid URL: "${text}"`);
    }
    return this.issues.length > before ? '' : text.replace(/\/+$/, '');
  }

  boolean(path: string, value: Json, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== 'boolean') this.fail(path, `must be true or false, got ${describe(value)}`);
    return value === true;
  }

  number(path: string, value: Json, fallback: number, opts: { min: number; max: number; integer?: boolean }): number {
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      this.fail(path, `must be a number, got ${describe(value)}`);
      return fallback;
    }
    if (opts.integer && !Number.isInteger(value)) this.fail(path, `must be a whole number, got ${value}`);
    else if (value < opts.min || value > opts.max) {
      this.fail(path, `must be between ${opts.min} and ${opts.max}, got ${value}`);
    }
    return value;
  }

  /** A list of distinct, non-empty names; a duplicate is an error naming both positions. */
  names(path: string, value: Json): string[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) {
      this.fail(path, `must be a list of names, got ${describe(value)}`);
      return [];
    }
    const seen = new Map<string, number>();
    const names: string[] = [];
    value.forEach((item, index) => {
      const name = this.string(`${path}[${index}]`, item);
      if (!name) return;
      if (name && !AGENT_NAME_PATTERN.test(name)) this.fail(`${path}[${index}]`, 'must be 1 to 128 characters without control characters');
      const first = seen.get(name);
      if (first !== undefined) this.fail(`${path}[${index}]`, `"${name}" is already listed at ${path}[${first}]`);
      else seen.set(name, index);
      names.push(name);
    });
    return names;
  }
}

const LICENCE_TYPES = ['PerSystem', 'Concurrent', 'Named'] as const;

function checkLicence(c: Checker, value: Json): LicenceConfig {
  const path = 'licence';
  if (!isObject(value)) {
    c.fail(path, value === undefined ? 'is required, e.g. {"type": "PerSystem"}' : `must be an object, got ${describe(value)}`);
    return { type: 'PerSystem' };
  }
  const type = value.type;
  if (type === 'PerSystem') {
    c.unknownKeys(path, value, ['type']);
    return { type };
  }
  if (type === 'Concurrent') {
    c.unknownKeys(path, value, ['type', 'users']);
    if (value.users === undefined) c.fail(`${path}.users`, 'is required for a Concurrent licence');
    return { type, users: c.number(`${path}.users`, value.users, 1, { min: 1, max: 100_000, integer: true }) };
  }
  if (type === 'Named') {
    c.unknownKeys(path, value, ['type', 'users', 'assigned']);
    if (value.users === undefined) c.fail(`${path}.users`, 'is required for a Named licence');
    const users = c.number(`${path}.users`, value.users, 1, { min: 1, max: 100_000, integer: true });
    const assigned = c.names(`${path}.assigned`, value.assigned);
    if (assigned.length > users) {
      c.fail(`${path}.assigned`, `${assigned.length} agents assigned but the Named licence has only ${users} users`);
    }
    return { type, users, assigned };
  }
  c.fail(`${path}.type`, `unknown licence type ${JSON.stringify(type)} (allowed: ${LICENCE_TYPES.join(', ')})`);
  return { type: 'PerSystem' };
}

const VARIABLE_PREFIX = /^var_/i;

function checkLinks(c: Checker, path: string, value: Json): Record<string, ExternalLink> {
  const links: Record<string, ExternalLink> = {};
  if (value === undefined) return links;
  if (!isObject(value)) {
    c.fail(path, `must be an object of link name -> {"field": ...} or {"variable": ...}, got ${describe(value)}`);
    return links;
  }
  const byLowerCase = new Map<string, string>();
  for (const [key, target] of Object.entries(value)) {
    const keyPath = `${path}["${key}"]`;
    const twin = byLowerCase.get(key.toLowerCase());
    if (twin !== undefined) c.fail(path, `keys "${twin}" and "${key}" differ only by case (links are case-insensitive)`);
    byLowerCase.set(key.toLowerCase(), key);
    if (key.trim() === '') c.fail(path, 'a link name must not be empty');
    const isVariableKey = VARIABLE_PREFIX.test(key);
    if (!isObject(target)) {
      c.fail(keyPath, `must be {"field": "<Field>"} or {"variable": "<Variable>"}, got ${describe(target)}`);
      continue;
    }
    c.unknownKeys(keyPath, target, ['field', 'variable']);
    if ('field' in target && 'variable' in target) {
      c.fail(keyPath, 'must name either a field or a variable, not both');
    } else if ('variable' in target) {
      const variable = c.string(`${keyPath}.variable`, target.variable);
      if (!isVariableKey) c.fail(keyPath, `only "var_" keys fill Workflow Variables; rename it "var_${key}" or link a field`);
      if (variable) links[key] = { variable };
    } else if ('field' in target) {
      const field = c.string(`${keyPath}.field`, target.field);
      if (isVariableKey) c.fail(keyPath, '"var_" keys fill Workflow Variables: use {"variable": ...}');
      if (field) links[key] = { field };
    } else {
      c.fail(keyPath, 'must name a "field" or a "variable"');
    }
  }
  return links;
}

function checkCampaigns(c: Checker, value: Json): CampaignConfig[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    c.fail('campaigns', `must be a list, got ${describe(value)}`);
    return [];
  }
  const seen = new Map<string, number>();
  const campaigns: CampaignConfig[] = [];
  value.forEach((item, index) => {
    const path = `campaigns[${index}]`;
    if (!isObject(item)) {
      c.fail(path, `must be an object, got ${describe(item)}`);
      return;
    }
    c.unknownKeys(path, item, ['name', 'type', 'active', 'allowRecordCreation', 'workflow', 'externalLinks']);
    const name = c.string(`${path}.name`, item.name);
    const first = seen.get(name.toLowerCase());
    if (name && first !== undefined) {
      c.fail(`${path}.name`, `"${name}" clashes with campaigns[${first}].name (campaign names must differ beyond case)`);
    } else if (name) seen.set(name.toLowerCase(), index);
    const type = item.type;
    if (type !== 'external' && type !== 'internal') {
      c.fail(`${path}.type`, `must be "external" or "internal", got ${JSON.stringify(type)}`);
    }
    const externalLinks = checkLinks(c, `${path}.externalLinks`, item.externalLinks);
    if (type === 'internal' && Object.keys(externalLinks).length > 0) {
      c.fail(`${path}.externalLinks`, 'internal campaigns take ScriptData as it is; External Links apply only to external campaigns');
    }
    campaigns.push({
      name,
      type: type === 'internal' ? 'internal' : 'external',
      active: c.boolean(`${path}.active`, item.active, true),
      allowRecordCreation: c.boolean(`${path}.allowRecordCreation`, item.allowRecordCreation, false),
      workflow: c.string(`${path}.workflow`, item.workflow),
      externalLinks,
    });
  });
  return campaigns;
}

const TOP_LEVEL_KEYS = [
  'authUrl',
  'refreshUrl',
  'webSocketUrl',
  'username',
  'password',
  'instanceName',
  'plugin',
  'licence',
  'campaigns',
  'agents',
  'heartbeatSeconds',
  'reconnect',
  'maxConnectionMinutes',
  'overlapSeconds',
  'controlPort',
  'logLevel',
];

/** Validates an already-parsed document; throws ConfigError listing every problem. */
export function validateConfig(raw: Json, source = 'config'): InstanceConfig {
  const c = new Checker();
  if (!isObject(raw)) throw new ConfigError(source, [`the document must be an object, got ${describe(raw)}`]);
  c.unknownKeys('', raw, TOP_LEVEL_KEYS);

  const authUrl = c.url('authUrl', raw.authUrl, ['http:', 'https:']);
  // Derived from authUrl unless given; when authUrl itself is bad, that one error is enough.
  const refreshUrl =
    raw.refreshUrl === undefined && !authUrl ? '' : c.url('refreshUrl', raw.refreshUrl, ['http:', 'https:'], `${authUrl}/refresh`);
  const webSocketUrl = c.url('webSocketUrl', raw.webSocketUrl, ['ws:', 'wss:']);
  // The credentials of a "scripting-instances" user; a missing one reads "username: is required".
  const username = c.string('username', raw.username);
  const password = c.string('password', raw.password);
  const instanceName = c.string('instanceName', raw.instanceName, username || 'instance');
  if (instanceName && !INSTANCE_NAME_PATTERN.test(instanceName)) {
    c.fail('instanceName', 'must be 1 to 64 letters, digits, ".", "_" or "-"');
  }

  let pluginEnabled = true;
  if (raw.plugin !== undefined) {
    if (!isObject(raw.plugin)) c.fail('plugin', `must be {"enabled": true|false}, got ${describe(raw.plugin)}`);
    else {
      c.unknownKeys('plugin', raw.plugin, ['enabled']);
      pluginEnabled = c.boolean('plugin.enabled', raw.plugin.enabled, true);
    }
  }

  const licence = checkLicence(c, raw.licence);
  const campaigns = checkCampaigns(c, raw.campaigns);
  const agents = c.names('agents', raw.agents);

  const heartbeatSeconds = c.number('heartbeatSeconds', raw.heartbeatSeconds, CONFIG_DEFAULTS.heartbeatSeconds, {
    min: 0.05,
    max: IDLE_TIMEOUT_SECONDS - 60,
  });
  let reconnect = CONFIG_DEFAULTS.reconnect;
  if (raw.reconnect !== undefined) {
    if (!isObject(raw.reconnect)) c.fail('reconnect', `must be {"minMs": n, "maxMs": n}, got ${describe(raw.reconnect)}`);
    else {
      c.unknownKeys('reconnect', raw.reconnect, ['minMs', 'maxMs']);
      const range = { min: 10, max: 3_600_000, integer: true };
      const minMs = c.number('reconnect.minMs', raw.reconnect.minMs, CONFIG_DEFAULTS.reconnect.minMs, range);
      const maxMs = c.number('reconnect.maxMs', raw.reconnect.maxMs, Math.max(minMs, CONFIG_DEFAULTS.reconnect.maxMs), range);
      if (minMs > maxMs) c.fail('reconnect', `minMs (${minMs}) must not exceed maxMs (${maxMs})`);
      reconnect = { minMs, maxMs };
    }
  }
  const maxConnectionMinutes = c.number(
    'maxConnectionMinutes',
    raw.maxConnectionMinutes,
    CONFIG_DEFAULTS.maxConnectionMinutes,
    { min: 0.01, max: CONNECTION_CAP_MINUTES - 1 },
  );
  const overlapSeconds = c.number('overlapSeconds', raw.overlapSeconds, CONFIG_DEFAULTS.overlapSeconds, {
    min: 0,
    max: 60,
  });
  const controlPort = c.number('controlPort', raw.controlPort, CONFIG_DEFAULTS.controlPort, {
    min: 0,
    max: 65535,
    integer: true,
  });
  const logLevel = raw.logLevel === undefined ? CONFIG_DEFAULTS.logLevel : (raw.logLevel as LogLevel);
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    c.fail('logLevel', `must be one of debug, info, warn, error, got ${JSON.stringify(raw.logLevel)}`);
  }

  if (c.issues.length > 0) throw new ConfigError(source, c.issues);
  return {
    authUrl,
    refreshUrl,
    webSocketUrl,
    username,
    password,
    instanceName,
    plugin: { enabled: pluginEnabled },
    licence,
    campaigns,
    agents,
    heartbeatSeconds,
    reconnect,
    maxConnectionMinutes,
    overlapSeconds,
    controlPort,
    logLevel,
  };
}

/** Parses JSON (`.json`) or YAML (`.yaml`/`.yml`); other extensions: JSON first, then YAML. */
export function parseConfigText(text: string, source = 'config'): InstanceConfig {
  const extension = extname(source).toLowerCase();
  let raw: Json;
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
    throw new ConfigError(file, [`cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`]);
  }
  return parseConfigText(text, file);
}
