/**
 * The campaign catalogue a Scripting instance publishes: what it can open, so the API refuses at once what
 * cannot succeed (lambdas/catalogue/campaignChecks.ts). The same campaign shape is read back by callers in
 * `GET /campaigns`. docs/contract.md explains the rules.
 */
import { Type, type Static } from '@sinclair/typebox';
import { MAX_CAMPAIGN_LENGTH, MAX_CAMPAIGN_LINKS, MAX_LINK_NAME_LENGTH } from './limits';
import { closed, identifier, oneOf } from './schemaKit';
import { POP_CHECKS } from './statuses';

/** What a ScriptData value sent through a link must be; a link without `Type` takes any of the three. */
export const LINK_TYPES = ['string', 'number', 'boolean'] as const;
export type LinkType = (typeof LINK_TYPES)[number];

export const CatalogueLink = Type.Object(
  {
    Name: identifier(MAX_LINK_NAME_LENGTH, {
      description: 'The ScriptData key a caller sends (matched case-insensitively, as the Desktop does).',
    }),
    Fills: oneOf(['Field', 'Variable'] as const, {
      description: 'A Field, or a Workflow Variable (only `var_` names).',
    }),
    Target: identifier(MAX_LINK_NAME_LENGTH, { description: 'The Field or Workflow Variable it fills.' }),
    Type: Type.Optional(
      oneOf(LINK_TYPES, { description: 'The value the link takes; absent: a string, number or boolean.' }),
    ),
    Required: Type.Boolean({ description: 'A pop must send this key.' }),
  },
  { ...closed, description: 'One External Link of an external campaign.' },
);
export type CatalogueLink = Static<typeof CatalogueLink>;

export const CatalogueCampaign = Type.Object(
  {
    Name: identifier(MAX_CAMPAIGN_LENGTH, { description: 'Pops name it exactly.' }),
    Active: Type.Boolean(),
    Type: oneOf(['external', 'internal'] as const, { description: 'External Links exist on external campaigns only.' }),
    AllowRecordCreation: Type.Boolean({ description: 'A pop without Reference creates a record (CSAUTO-...).' }),
    Workflow: identifier(MAX_CAMPAIGN_LENGTH, { description: 'The Workflow a pop launches.' }),
    ExternalLinks: Type.Array(CatalogueLink, { maxItems: MAX_CAMPAIGN_LINKS }),
  },
  { ...closed, description: 'A campaign a Scripting instance can open.' },
);
export type CatalogueCampaign = Static<typeof CatalogueCampaign>;

/** One instance's definition of a campaign, as `GET /campaigns` shows it. */
export const CampaignOnInstance = Type.Object({
  Instance: Type.String({ description: 'The instance name (`?instance=` of its connection).' }),
  Active: Type.Boolean(),
  Type: oneOf(['external', 'internal'] as const),
  AllowRecordCreation: Type.Boolean(),
  Workflow: Type.String(),
  ExternalLinks: Type.Array(CatalogueLink),
  ScriptDataSchema: Type.Unsafe<Record<string, unknown>>({
    type: 'object',
    description:
      "A JSON Schema (2020-12) of the ScriptData this instance's campaign accepts, generated from its External Links.",
  }),
  Agents: Type.Integer({
    description: "Agents on this instance's Desktop who can receive a pop of this campaign now.",
  }),
});
export type CampaignOnInstance = Static<typeof CampaignOnInstance>;

export const CampaignSummary = Type.Object({
  Name: Type.String(),
  Agents: Type.Integer({
    description:
      'Distinct connected agents who can receive a pop of it now (licensed, on an instance where it is active).',
  }),
  Instances: Type.Array(CampaignOnInstance, { description: 'Each connected instance that publishes it.' }),
});
export type CampaignSummary = Static<typeof CampaignSummary>;

export const CampaignsResult = Type.Object({
  Campaigns: Type.Array(CampaignSummary, {
    description:
      'By name within a page; only instances that publish a catalogue are listed. A page holds whole campaigns ' +
      '(every instance of each) and may hold fewer than `limit`, even none, while `Next` is given.',
  }),
  Next: Type.Optional(
    Type.String({
      description:
        'Present while more campaigns follow: pass it as `next` for the next page (opaque; valid for your tenant only).',
    }),
  ),
});
export type CampaignsResult = Static<typeof CampaignsResult>;

export const PopValidation = Type.Object({
  Valid: Type.Literal(true),
  Checks: Type.Array(oneOf(POP_CHECKS), {
    description: 'The checks passed; only AgentOnDesktop when no instance of the agent publishes a catalogue.',
  }),
  Instances: Type.Integer({ description: 'How many connections a pop would be pushed to now.' }),
  UncheckedInstances: Type.Integer({
    description: 'Of those, how many publish no catalogue (no up-front checks for them).',
  }),
  Status: Type.Optional(
    Type.Literal('Held', {
      description:
        'The agent is on no Desktop and HoldSeconds was given: POST /pop would hold the pop (202 Held); its checks run when the agent appears.',
    }),
  ),
});
export type PopValidation = Static<typeof PopValidation>;
