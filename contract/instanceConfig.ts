/**
 * The reference Scripting instance's configuration file (JSON or YAML), as a schema: the shapes, types, ranges and
 * defaults. instance/config.ts validates a file with the compiled validator (contract/generated/InstanceConfigFile.js)
 * and adds the checks a schema cannot express (URL protocols, names unique beyond case, cross-field rules);
 * instance/README.md documents these keys, and a unit test holds the two together.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { MAX_AGENT_NAME_LENGTH } from './limits';
import { closed, identifier, oneOf } from './schemaKit';

/** API Gateway closes a WebSocket idle for 10 minutes and caps a connection at 2 hours. */
export const IDLE_TIMEOUT_SECONDS = 600;
export const CONNECTION_CAP_MINUTES = 120;

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LICENCE_TYPES = ['PerSystem', 'Concurrent', 'Named'] as const;

/** The value each optional key takes when the file leaves it out (derived ones, such as `refreshUrl`, aside). */
export const CONFIG_DEFAULTS = {
  pluginEnabled: true,
  campaignActive: true,
  allowRecordCreation: false,
  heartbeatSeconds: 300,
  reconnect: { minMs: 1000, maxMs: 30_000 },
  maxConnectionMinutes: 110,
  overlapSeconds: 5,
  controlPort: 0,
  publishCatalogue: true,
  logLevel: 'info' as LogLevel,
} as const;

const text = (description: string) => Type.String({ minLength: 1, description });
const url = (description: string) => Type.String({ minLength: 1, format: 'uri', description });
/** Agents as the server accepts them in a Desktop list (contract/webSocket.ts). */
const agentName = identifier(MAX_AGENT_NAME_LENGTH);
const agentList = (description: string) => Type.Array(agentName, { description });

/**
 * A union told apart by one tag field, written as `if`/`then` per variant instead of `anyOf`: a bad value gets the
 * errors of its own variant only, not those of every variant. The type is the union of the variants.
 */
function taggedUnion<const V extends Record<string, TSchema>>(tag: string, variants: V, description: string) {
  return Type.Unsafe<Static<V[keyof V]>>({
    type: 'object',
    description,
    required: [tag],
    properties: { [tag]: oneOf(Object.keys(variants)) },
    allOf: Object.entries(variants).map(([value, schema]) => ({
      if: { type: 'object', properties: { [tag]: { const: value } } },
      then: schema,
    })),
  });
}

const users = Type.Integer({ minimum: 1, maximum: 100_000, description: 'How many agents the licence covers.' });

export const LicenceConfig = taggedUnion(
  'type',
  {
    PerSystem: Type.Object({ type: Type.Literal('PerSystem') }, closed),
    Concurrent: Type.Object({ type: Type.Literal('Concurrent'), users }, closed),
    Named: Type.Object(
      {
        type: Type.Literal('Named'),
        users,
        assigned: Type.Optional(agentList('The licensed agents, at most `users`.')),
      },
      closed,
    ),
  } satisfies Record<(typeof LICENCE_TYPES)[number], TSchema>,
  'The Remote Pop licence: Per System, Concurrent (N seats) or Named (N assigned agents).',
);
export type LicenceConfig = Static<typeof LicenceConfig>;

/**
 * One ScriptData key to a Field, or (for `var_` keys only) to a Workflow Variable: exactly one of the two; optionally
 * the value's type and whether a pop must send it.
 * instance/config.ts explains a link that names both or neither.
 */
export const ExternalLink = Type.Unsafe<
  ({ field: string } | { variable: string }) & { type?: 'string' | 'number' | 'boolean'; required?: boolean }
>({
  type: 'object',
  properties: {
    field: text('The Field this link fills.'),
    variable: text('The Workflow Variable this link fills.'),
    // Published in the instance's campaign catalogue (contract/catalogue.ts), so POST /pop refuses what does not fit.
    type: {
      type: 'string',
      enum: ['string', 'number', 'boolean'],
      description: 'The value the link takes; absent: any of the three.',
    },
    required: { type: 'boolean', default: false, description: 'A pop must send this key.' },
  },
  additionalProperties: false,
  minProperties: 1,
});
export type ExternalLink = Static<typeof ExternalLink>;

export const CampaignConfig = Type.Object(
  {
    name: text('Unique, also beyond case; pops name it exactly.'),
    type: oneOf(['external', 'internal'] as const),
    active: Type.Optional(Type.Boolean({ default: CONFIG_DEFAULTS.campaignActive })),
    allowRecordCreation: Type.Optional(Type.Boolean({ default: CONFIG_DEFAULTS.allowRecordCreation })),
    workflow: text('The Workflow a pop opens.'),
    externalLinks: Type.Optional(
      Type.Record(Type.String(), ExternalLink, {
        default: {},
        description: 'Link name -> target; names are matched case-insensitively, external campaigns only.',
      }),
    ),
  },
  closed,
);
export type CampaignConfig = Static<typeof CampaignConfig>;

export const InstanceConfigFile = Type.Object(
  {
    authUrl: url('`GET` with Basic credentials -> tokens (http or https).'),
    refreshUrl: Type.Optional(url('`POST {"RefreshToken"}` -> a new IdToken; default `authUrl` + `/refresh`.')),
    webSocketUrl: url('The WebSocket API (ws or wss).'),
    username: text('A `scripting-instances` user.'),
    password: text("That user's password."),
    instanceName: Type.Optional(
      Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9._-]*$', description: 'Default: the username.' }),
    ),
    plugin: Type.Optional(
      Type.Object({ enabled: Type.Optional(Type.Boolean({ default: CONFIG_DEFAULTS.pluginEnabled })) }, closed),
    ),
    licence: LicenceConfig,
    campaigns: Type.Optional(Type.Array(CampaignConfig, { default: [] })),
    agents: Type.Optional(agentList('Agents on the Desktop at start.')),
    heartbeatSeconds: Type.Optional(
      Type.Number({
        minimum: 0.05,
        maximum: IDLE_TIMEOUT_SECONDS - 60,
        default: CONFIG_DEFAULTS.heartbeatSeconds,
        description: "Ping interval, well inside API Gateway's idle timeout.",
      }),
    ),
    reconnect: Type.Optional(
      Type.Object(
        {
          minMs: Type.Optional(
            Type.Integer({ minimum: 10, maximum: 3_600_000, default: CONFIG_DEFAULTS.reconnect.minMs }),
          ),
          maxMs: Type.Optional(
            Type.Integer({ minimum: 10, maximum: 3_600_000, default: CONFIG_DEFAULTS.reconnect.maxMs }),
          ),
        },
        { ...closed, description: 'Back-off bounds.' },
      ),
    ),
    maxConnectionMinutes: Type.Optional(
      Type.Number({
        minimum: 0.01,
        maximum: CONNECTION_CAP_MINUTES - 1,
        default: CONFIG_DEFAULTS.maxConnectionMinutes,
        description: "Renew the connection before API Gateway's 2-hour cap.",
      }),
    ),
    overlapSeconds: Type.Optional(Type.Number({ minimum: 0, maximum: 60, default: CONFIG_DEFAULTS.overlapSeconds })),
    controlPort: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: CONFIG_DEFAULTS.controlPort })),
    publishCatalogue: Type.Optional(
      Type.Boolean({
        default: CONFIG_DEFAULTS.publishCatalogue,
        description:
          'Publish the campaign catalogue and licence states; false behaves as an older instance: no up-front checks.',
      }),
    ),
    logLevel: Type.Optional(
      Type.Unsafe<LogLevel>({ type: 'string', enum: [...LOG_LEVELS], default: CONFIG_DEFAULTS.logLevel }),
    ),
  },
  { ...closed, description: "The reference Scripting instance's configuration file." },
);
export type InstanceConfigFile = Static<typeof InstanceConfigFile>;
