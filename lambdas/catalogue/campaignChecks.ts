/**
 * The up-front checks of a pop against what the agent's instances publish: each instance's licence state
 * for the agent (its presence) and its catalogue entry for the campaign. Pure: lambdas/pops/popPlan.ts reads both in
 * one parallel round and asks this module which instances can open the pop. The order of the checks is the Desktop's
 * (instance/desktop.ts `receivePop`), so the refusal a caller gets is the one the Desktop would have given.
 * What only the Desktop knows (a record open elsewhere, a Concurrent seat taken since, the plugin turned off) is left
 * to it: it still acks Failed and logs at Warn.
 */
import type { CatalogueCampaign, CatalogueLink, LinkType } from '../../contract/catalogue';
import type { ScriptData } from '../../contract/rest';
import type { ErrorCode } from '../../contract/errors';
import { POP_CHECKS, type PopCheck } from '../../contract/statuses';

export type Check = PopCheck;

export interface CheckRefusal {
  readonly kind: 'refused';
  readonly code: ErrorCode;
  /** Index in POP_CHECKS of the check that failed. */
  readonly stage: number;
  readonly message: string;
  readonly details?: readonly string[];
}

export interface PopFacts {
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly ScriptData?: ScriptData;
}

const VARIABLE_KEY = /^var_./i;

const refusal = (code: ErrorCode, check: Check, message: string, details?: readonly string[]): CheckRefusal => ({
  kind: 'refused',
  code,
  stage: POP_CHECKS.indexOf(check),
  message,
  ...(details && details.length > 0 ? { details } : {}),
});

const typeOf = (value: unknown): LinkType | undefined =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? (typeof value as LinkType)
    : undefined;

/**
 * ScriptData against an external campaign's links, as the Desktop maps it (instance/desktop.ts `mapScriptData`): a key
 * matches the link of the same name compared case-insensitively; a `var_X` key without a link fills Variable X; any
 * other key would be ignored on the Desktop, so it is refused here. Internal campaigns have no External Links.
 */
export function scriptDataProblems(campaign: CatalogueCampaign, scriptData: ScriptData = {}): string[] {
  const keys = Object.keys(scriptData);
  if (campaign.Type === 'internal') {
    return keys.map(
      (key) =>
        `ScriptData.${key}: campaign "${campaign.Name}" is internal; External Links exist only on external campaigns`,
    );
  }
  const links = new Map<string, CatalogueLink>(campaign.ExternalLinks.map((link) => [link.Name.toLowerCase(), link]));
  const problems: string[] = [];
  for (const key of keys) {
    const link = links.get(key.toLowerCase());
    if (!link) {
      if (!VARIABLE_KEY.test(key))
        problems.push(`ScriptData.${key}: is not an External Link of campaign "${campaign.Name}"`);
      continue;
    }
    if (link.Type !== undefined && typeOf(scriptData[key]) !== link.Type)
      problems.push(`ScriptData.${key}: must be a ${link.Type}`);
  }
  const sent = new Set(keys.map((key) => key.toLowerCase()));
  for (const link of campaign.ExternalLinks) {
    if (link.Required && !sent.has(link.Name.toLowerCase())) problems.push(`ScriptData.${link.Name}: is required`);
  }
  return problems;
}

/**
 * One instance's verdict on a pop, from the campaign it publishes under that name (undefined: it publishes none).
 * `licensed` is the agent's licence state on that instance (undefined: not published).
 */
export function checkOnInstance(
  pop: PopFacts,
  campaign: CatalogueCampaign | undefined,
  licensed: boolean | undefined,
): CheckRefusal | undefined {
  if (licensed === false)
    return refusal(
      'NoLicence',
      'Licence',
      `Agent "${pop.Username}" holds no Remote Pop licence on the Scripting instances that have it on their Desktop.`,
    );
  if (!campaign)
    return refusal(
      'CampaignNotFound',
      'CampaignFound',
      `Campaign "${pop.Campaign}" does not exist on the Scripting instances that have agent "${pop.Username}".`,
    );
  if (!campaign.Active)
    return refusal('CampaignInactive', 'CampaignActive', `Campaign "${pop.Campaign}" is not active.`);
  const reference = pop.Reference !== undefined && pop.Reference.trim() !== '';
  if (!reference && !campaign.AllowRecordCreation) {
    return refusal(
      'ReferenceRequired',
      'Reference',
      `Campaign "${pop.Campaign}" does not allow record creation: send a Reference.`,
    );
  }
  const problems = scriptDataProblems(campaign, pop.ScriptData);
  if (problems.length > 0)
    return refusal('ScriptDataRejected', 'ScriptData', `ScriptData does not fit campaign "${pop.Campaign}".`, problems);
  return undefined;
}

/** Of several instances' refusals, the one that got furthest (the most particular); ties keep the first. */
export function mostParticular(refusals: readonly CheckRefusal[]): CheckRefusal | undefined {
  return refusals.reduce<CheckRefusal | undefined>(
    (best, next) => (best === undefined || next.stage > best.stage ? next : best),
    undefined,
  );
}

const jsonTypes = (type: LinkType | undefined) => type ?? ['string', 'number', 'boolean'];

/**
 * A JSON Schema (2020-12) of the ScriptData a campaign accepts, from its External Links: one property per link with
 * its type, the required ones, `var_` keys for Workflow Variables, nothing else. Names are exact here; a pop may also
 * match them case-insensitively, as the Desktop does. Internal campaigns: no ScriptData at all.
 */
export function scriptDataSchema(campaign: CatalogueCampaign): Record<string, unknown> {
  if (campaign.Type === 'internal') {
    return {
      type: 'object',
      maxProperties: 0,
      description: `Campaign "${campaign.Name}" is internal: it takes no ScriptData.`,
    };
  }
  // Keyed by the instance's link names: no prototype, so a link named `__proto__` is published like any other.
  const properties: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const link of campaign.ExternalLinks) {
    properties[link.Name] = { type: jsonTypes(link.Type), description: `Fills ${link.Fills} "${link.Target}".` };
  }
  const required = campaign.ExternalLinks.filter((link) => link.Required).map((link) => link.Name);
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties,
    ...(required.length > 0 ? { required } : {}),
    patternProperties: {
      '^[Vv][Aa][Rr]_.': {
        type: jsonTypes(undefined),
        description: 'Fills the Workflow Variable named after the prefix.',
      },
    },
    additionalProperties: false,
  };
}
