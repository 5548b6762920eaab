import { Type, type Static, type TSchema } from '@sinclair/typebox';
import Ajv, { type ErrorObject } from 'ajv';
import type { IConstruct } from 'constructs';
import { HANDLER_NEEDS } from '../lambdas/handlerNeeds';
import { DEFAULT_STREAM_PARALLELIZATION } from './streamMapping';

/**
 * The stack's settings, read once from CDK context (`cdk.json` "context" or `cdk synth -c name=value`), defined once
 * as a TypeBox schema: the Settings type and the validation both come from it. Every value is checked here so a bad
 * one stops the synth with the setting's name, before any resource exists. Each setting's schema carries `rule`, the
 * phrase the error gives when the value breaks it (`Invalid setting "<name>": <rule>, got <value>`).
 */

/** An integer setting from `minimum` to `maximum`. */
function integer(minimum: number, maximum: number, options: { default?: number } = {}) {
  return Type.Integer({ minimum, maximum, ...options, rule: `must be an integer from ${minimum} to ${maximum}` });
}

/** A rate in requests per second; 10,000 requests/s is API Gateway's default account-level limit per region. */
function rate(fallback: number) {
  return Type.Number({
    exclusiveMinimum: 0,
    maximum: 10_000,
    default: fallback,
    rule: 'must be a number above 0 and at most 10000',
  });
}

/** The values CloudWatch Logs accepts for a log group's retention (RetentionDays without INFINITE). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** A DNS name of at least two labels, lower case (API Gateway stores custom domain names in lower case). */
const DOMAIN_NAME = '^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$';
/** An ACM certificate ARN in any partition. */
const CERTIFICATE_ARN = '^arn:aws[a-z-]*:acm:[a-z0-9-]+:\\d{12}:certificate\\/[A-Za-z0-9-]+$';

const domainName = () =>
  Type.String({ pattern: DOMAIN_NAME, rule: 'must be a lower-case DNS name such as api.example.com' });
const certificateArn = () =>
  Type.String({
    pattern: CERTIFICATE_ARN,
    rule: 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)',
  });

/** API Gateway's enhanced TLS policies for a regional REST API (TLS 1.2 at least), the default first. */
export const REST_SECURITY_POLICIES = [
  'SecurityPolicy_TLS13_1_2_PQ_2025_09',
  'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
  'SecurityPolicy_TLS13_1_3_2025_09',
  'SecurityPolicy_TLS13_1_3_FIPS_2025_09',
] as const;

/** Every setting: the settings with a `default` are always set, the others only when given. */
export const STACK_SETTINGS = Type.Object({
  /** REST and WebSocket stage name (URL path segment). @default "v1" */
  stageName: Type.String({
    pattern: '^[A-Za-z0-9_-]{1,128}$',
    default: 'v1',
    rule: 'must be 1-128 letters, digits, hyphens or underscores',
  }),
  /** IdToken and AccessToken lifetime, minutes; Cognito allows 5..1440. @default 60 */
  idTokenValidityMinutes: integer(5, 1440, { default: 60 }),
  /** How long a Campaign+Reference stays claimed by one Username, seconds. @default 60 */
  claimWindowSeconds: integer(1, 3600, { default: 60 }),
  /** How long a pop's status stays readable (its TTL), days. @default 3 */
  popRetentionDays: integer(1, 365, { default: 3 }),
  /** REST stage steady-state rate limit, requests per second. @default 50 */
  restThrottleRate: rate(50),
  /** REST stage burst limit, requests; 5,000 is API Gateway's default account-level burst. @default 100 */
  restThrottleBurst: integer(1, 5000, { default: 100 }),
  /**
   * GET /auth and POST /auth/refresh (no token): requests per second, each method on its own, apart from the stage's
   * limit of every other method (docs/edge.md). @default 5
   */
  authThrottleRate: rate(5),
  /** Their burst. @default 10 */
  authThrottleBurst: integer(1, 5000, { default: 10 }),
  /**
   * Each tenant's requests per second on the routes that take a token, all methods together: the default usage plan's
   * throttle (docs/edge.md). A tenant at its limit leaves four fifths of each method's stage limit to the others; the
   * provisioning CLI gives one tenant more (`tenant limits`) without a deploy. @default 10
   */
  tenantThrottleRate: rate(10),
  /** Each tenant's burst on the default usage plan. @default 20 */
  tenantThrottleBurst: integer(1, 5000, { default: 20 }),
  /**
   * How long API Gateway keeps the REST authorizer's answer for one token, seconds (0: it runs for every request).
   * With a cache, a disabled user's token still reads until it expires unless the cache is flushed (docs/edge.md).
   * @default 0
   */
  restAuthorizerCacheSeconds: integer(0, 3600, { default: 0 }),
  /** WebSocket stage rate limit (connects and messages), per second. @default 100 */
  webSocketThrottleRate: rate(100),
  /** WebSocket stage burst limit. @default 200 */
  webSocketThrottleBurst: integer(1, 5000, { default: 200 }),
  /** Retention of the Lambda and API access log groups; one of CloudWatch's allowed values. @default 30 */
  logRetentionDays: Type.Union(
    LOG_RETENTION_DAYS.map((days) => Type.Literal(days)),
    { default: 30, rule: `must be one of ${LOG_RETENTION_DAYS.join(', ')}` },
  ),
  /** prod keeps the pool, table and logs on stack deletion and turns deletion protection on. @default "dev" */
  environment: Type.Union([Type.Literal('dev'), Type.Literal('prod')], {
    default: 'dev',
    rule: 'must be "dev" or "prod"',
  }),
  /**
   * Reserved concurrency for each function; unset leaves the account's unreserved pool. 0 would throttle every
   * invocation: it is refused rather than deploy a stack that cannot run. @default undefined
   */
  lambdaReservedConcurrency: Type.Optional(integer(1, 1000)),
  /**
   * The account's Lambda concurrency quota in the region (Service Quotas, "Concurrent executions"): Lambda refuses a
   * reservation that leaves fewer than 100 of it unreserved, so `lambdaReservedConcurrency` is checked against it.
   * @default 1000 (AWS's default quota)
   */
  lambdaAccountConcurrency: integer(10, 1_000_000, { default: 1000 }),
  /**
   * Concurrent popStream batches per stream shard (the event source's ParallelizationFactor, 1 to 10); each item's
   * records stay in order at any value. Why 10: lib/streamMapping.ts, docs/capacity.md. @default 10
   */
  streamParallelizationFactor: integer(1, 10, { default: DEFAULT_STREAM_PARALLELIZATION }),
  /**
   * X-Ray sampling of the REST stage (lib/tracing.ts): the share of requests traced beyond the reservoir, 0 to 1.
   * Lambda applies X-Ray's own default to the functions it starts (the WebSocket routes, the stream); a rule cannot
   * change that. Why 5 %: docs/cost.md. @default 0.05
   */
  xraySamplingRate: Type.Number({ minimum: 0, maximum: 1, default: 0.05, rule: 'must be a number from 0 to 1' }),
  /**
   * Requests per second the REST stage traces before the rate applies (X-Ray's default rule has 1, which at low volume
   * traces nearly every pop). @default 0
   */
  xraySamplingReservoir: integer(0, 1000, { default: 0 }),
  /**
   * Create API Gateway's account-level CloudWatch role (one per account and region, shared by every API there).
   * false when the account already has one, so stacks do not overwrite each other's. @default true
   */
  apiGatewayCloudWatchRole: Type.Boolean({ default: true, rule: 'must be true or false' }),
  /**
   * Custom domain for the REST API (regional endpoint), e.g. `api.example.com`; needs `restCertificateArn`. The stage
   * is mapped under its own name (`https://api.example.com/v1/...`). DNS is yours: point a CNAME or alias at the
   * `RestDomainTarget` output. @default undefined (execute-api URL only)
   */
  restDomainName: Type.Optional(domainName()),
  /** ACM certificate ARN for `restDomainName`, in the stack's region. @default undefined */
  restCertificateArn: Type.Optional(certificateArn()),
  /**
   * Custom domain for the WebSocket API, e.g. `ws.example.com`; needs `webSocketCertificateArn`; must differ from
   * `restDomainName` (API Gateway refuses to map a WebSocket API to a domain name that serves a REST API).
   * @default undefined
   */
  webSocketDomainName: Type.Optional(domainName()),
  /** ACM certificate ARN for `webSocketDomainName`, in the stack's region. @default undefined */
  webSocketCertificateArn: Type.Optional(certificateArn()),
  /**
   * When set, a WAF web ACL with one rate-based rule (requests per source IP per 5 minutes, blocked above) is
   * associated with the REST API stage; AWS WAF's rate-based rules accept 10 to 2,000,000,000. @default undefined
   */
  wafRateLimitPer5Minutes: Type.Optional(integer(10, 2_000_000_000)),
  /**
   * The REST API's TLS policy, on its execute-api endpoint and its custom domain: one of API Gateway's enhanced
   * policies for regional endpoints, all TLS 1.2 at least (docs/edge.md). @default "SecurityPolicy_TLS13_1_2_PQ_2025_09"
   */
  restSecurityPolicy: Type.Union(
    REST_SECURITY_POLICIES.map((policy) => Type.Literal(policy)),
    { default: REST_SECURITY_POLICIES[0], rule: `must be one of ${REST_SECURITY_POLICIES.join(', ')}` },
  ),
  /**
   * With an enhanced policy, STRICT refuses a request whose TLS server name (SNI) is not this API's host or whose
   * endpoint type differs; BASIC does not (AWS's step while migrating an existing API). @default "STRICT"
   */
  restEndpointAccessMode: Type.Union([Type.Literal('STRICT'), Type.Literal('BASIC')], {
    default: 'STRICT',
    rule: 'must be "STRICT" or "BASIC"',
  }),
  /**
   * Turn the REST API's default execute-api endpoint off, so it is reachable only through `restDomainName` (which it
   * requires); RestApiUrl then names the custom domain. @default false
   */
  disableExecuteApiEndpoint: Type.Boolean({ default: false, rule: 'must be true or false' }),
  /** When set, alarms notify an SNS topic with this e-mail subscribed (confirm the subscription mail). @default undefined */
  alarmEmail: Type.Optional(
    Type.String({ pattern: '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$', rule: 'must be one e-mail address' }),
  ),
  /**
   * The synthetic canary (lib/canary.ts, ops/canary/): a scheduled round trip as a tenant of its own, with metrics and
   * an alarm. @default true in prod, false in dev
   */
  canary: Type.Optional(Type.Boolean({ rule: 'must be true or false' })),
  /** Minutes between two canary runs. @default 5 */
  canaryIntervalMinutes: integer(1, 60, { default: 5 }),
  /** prod: days each daily AWS Backup recovery point of the table is kept (lib/backup.ts). @default 35 */
  backupRetentionDays: integer(1, 36500, { default: 35 }),
  /**
   * Serve from this existing table (a restored copy) instead of creating one; the stack turns on its stream, TTL and
   * point-in-time recovery (lib/storage.ts). @default undefined (the stack creates its table)
   */
  adoptTableName: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9_.-]{3,255}$',
      rule: 'must be a DynamoDB table name (3-255 letters, digits, _ . -)',
    }),
  ),
});

export type Settings = Readonly<Static<typeof STACK_SETTINGS>>;
type SettingName = keyof Settings;

/** The context keys read, one per setting (the same names as the Settings fields), in the order they are checked. */
export const SETTING_NAMES = Object.keys(STACK_SETTINGS.properties) as readonly SettingName[];

/** The settings every stack has when the context sets nothing: the schema's defaults. */
export const DEFAULT_SETTINGS: Settings = Object.fromEntries(
  Object.entries(STACK_SETTINGS.properties as Record<string, TSchema>)
    .filter(([, schema]) => schema.default !== undefined)
    .map(([name, schema]) => [name, schema.default]),
) as Settings;

/** A custom domain and its certificate: both or neither. */
const BOTH_OR_NEITHER = {
  restDomainName: ['restCertificateArn'],
  restCertificateArn: ['restDomainName'],
  webSocketDomainName: ['webSocketCertificateArn'],
  webSocketCertificateArn: ['webSocketDomainName'],
} as const satisfies Partial<Record<SettingName, readonly SettingName[]>>;

/** What a context may hold: every setting optional (absent ones take the defaults), domains paired. */
const CONTEXT_SETTINGS = Type.Partial(STACK_SETTINGS, { dependencies: BOTH_OR_NEITHER });

/** Compiled once per synth; `useDefaults` fills in the absent settings that have a default. */
const validateContext = new Ajv({ allErrors: true, useDefaults: true, keywords: ['rule'] }).compile(CONTEXT_SETTINGS);

export class InvalidSettingError extends Error {
  override name = 'InvalidSettingError';
  constructor(
    readonly setting: string,
    rule: string,
    value: unknown,
  ) {
    super(`Invalid setting "${setting}": ${rule}, got ${JSON.stringify(value)}`);
  }
}

/** The settings whose schema is a boolean. */
const BOOLEAN_SETTINGS = new Set<string>(
  Object.entries(STACK_SETTINGS.properties as Record<string, TSchema>)
    .filter(([, schema]) => schema.type === 'boolean')
    .map(([name]) => name),
);

/** The settings whose schema is numeric (an integer, a number, or a union of integer literals). */
const NUMERIC_SETTINGS = new Set<string>(
  Object.entries(STACK_SETTINGS.properties as Record<string, TSchema>)
    .filter(([, schema]) => ['integer', 'number'].includes(schema.type) || schema.anyOf?.[0]?.type === 'number')
    .map(([name]) => name),
);

/**
 * Context values arrive as strings from `-c name=value` and as JSON values from cdk.json: a numeric setting given as
 * a string that reads as a number becomes that number; anything else is left for the schema to refuse.
 */
function fromContextValue(name: string, value: unknown): unknown {
  if (BOOLEAN_SETTINGS.has(name) && (value === 'true' || value === 'false')) return value === 'true';
  if (!NUMERIC_SETTINGS.has(name) || typeof value !== 'string' || value.trim() === '') return value;
  const number = Number(value);
  return Number.isNaN(number) ? value : number;
}

/** The first failure in SETTING_NAMES order, as the setting it concerns and the rule it breaks. */
function firstFailure(errors: readonly ErrorObject[]): { setting: SettingName; rule: string } {
  const failures = errors.map((error) => {
    if (error.keyword === 'dependencies') {
      const { property, missingProperty } = error.params as { property: string; missingProperty: SettingName };
      return { setting: missingProperty, rule: `is required when ${property} is set` };
    }
    const setting = error.instancePath.split('/')[1] as SettingName;
    const schema = STACK_SETTINGS.properties[setting] as TSchema;
    return { setting, rule: schema.rule as string };
  });
  const order = (failure: { setting: SettingName }): number => SETTING_NAMES.indexOf(failure.setting);
  return failures.sort((a, b) => order(a) - order(b))[0]!;
}

/** Parse and validate settings from a plain record (context values); absent keys take the defaults. */
export function parseSettings(raw: Readonly<Record<string, unknown>> = {}): Settings {
  const record: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    if (raw[name] !== undefined) record[name] = fromContextValue(name, raw[name]);
  }
  if (!validateContext(record)) {
    const { setting, rule } = firstFailure(validateContext.errors ?? []);
    throw new InvalidSettingError(setting, rule, raw[setting]);
  }
  // In SETTING_NAMES order, whatever order the context gave.
  const settings = Object.fromEntries(
    SETTING_NAMES.flatMap((name) => (name in record ? [[name, record[name]]] : [])),
  ) as Settings;
  checkAcrossSettings(settings, raw);
  return settings;
}

/** Lambda keeps this much of the account's concurrency unreserved, whatever the reservations ask for. */
export const LAMBDA_UNRESERVED_MINIMUM = 100;
/** One function per handler, each given `lambdaReservedConcurrency`. */
export const FUNCTION_COUNT = Object.keys(HANDLER_NEEDS).length;

/** The largest `lambdaReservedConcurrency` an account with this quota accepts for every function of the stack. */
export const maxReservedConcurrency = (accountConcurrency: number): number =>
  Math.floor((accountConcurrency - LAMBDA_UNRESERVED_MINIMUM) / FUNCTION_COUNT);

/** The rules that involve two settings. */
function checkAcrossSettings(settings: Settings, raw: Readonly<Record<string, unknown>>): void {
  if (settings.restDomainName !== undefined && settings.restDomainName === settings.webSocketDomainName) {
    // API Gateway refuses to map a WebSocket API to a domain name that serves a REST API.
    throw new InvalidSettingError('webSocketDomainName', 'must differ from restDomainName', raw.webSocketDomainName);
  }
  if (settings.disableExecuteApiEndpoint && settings.restDomainName === undefined) {
    // Otherwise the API would be reachable nowhere.
    const rule = 'may be true only when restDomainName is set';
    throw new InvalidSettingError('disableExecuteApiEndpoint', rule, raw.disableExecuteApiEndpoint);
  }
  const reserved = settings.lambdaReservedConcurrency;
  const most = maxReservedConcurrency(settings.lambdaAccountConcurrency);
  if (reserved !== undefined && reserved > most) {
    // Otherwise the deploy fails half-way with CREATE_FAILED on the first function over the line.
    const rule =
      `must be at most ${most} (${FUNCTION_COUNT} functions each reserve it, and Lambda keeps ` +
      `${LAMBDA_UNRESERVED_MINIMUM} of lambdaAccountConcurrency ${settings.lambdaAccountConcurrency} unreserved)`;
    throw new InvalidSettingError('lambdaReservedConcurrency', rule, raw.lambdaReservedConcurrency);
  }
}

/** Read every setting from the construct tree's context (absent ones take the defaults). */
export function settingsFromContext(scope: IConstruct): Settings {
  const raw: Record<string, unknown> = {};
  for (const name of SETTING_NAMES) {
    const value: unknown = scope.node.tryGetContext(name);
    if (value !== undefined) raw[name] = value;
  }
  return parseSettings(raw);
}
