import type { IConstruct } from 'constructs';

/**
 * The stack's settings, read once from CDK context (`cdk.json` "context" or `cdk synth -c name=value`).
 * Every value is checked here so a bad one stops the synth with the setting's name, before any resource exists.
 */
export interface Settings {
  /** REST and WebSocket stage name (URL path segment). @default "v1" */
  readonly stageName: string;
  /** IdToken and AccessToken lifetime, minutes; Cognito allows 5..1440. @default 60 */
  readonly idTokenValidityMinutes: number;
  /** How long a Campaign+Reference stays claimed by one Username, seconds. @default 60 */
  readonly claimWindowSeconds: number;
  /** How long a pop's status stays readable (its TTL), days. @default 3 */
  readonly popRetentionDays: number;
  /** REST stage steady-state rate limit, requests per second. @default 50 */
  readonly restThrottleRate: number;
  /** REST stage burst limit, requests. @default 100 */
  readonly restThrottleBurst: number;
  /** WebSocket stage rate limit (connects and messages), per second. @default 100 */
  readonly webSocketThrottleRate: number;
  /** WebSocket stage burst limit. @default 200 */
  readonly webSocketThrottleBurst: number;
  /** Retention of the Lambda and API access log groups; one of CloudWatch's allowed values. @default 30 */
  readonly logRetentionDays: number;
  /** prod keeps the pool, table and logs on stack deletion and turns deletion protection on. @default "dev" */
  readonly environment: 'dev' | 'prod';
  /** Reserved concurrency for each function; unset leaves the account's unreserved pool. @default undefined */
  readonly lambdaReservedConcurrency?: number;
  /**
   * Custom domain for the REST API (regional endpoint), e.g. `api.example.com`; needs `restCertificateArn`. The stage
   * is mapped under its own name (`https://api.example.com/v1/...`). DNS is yours: point a CNAME or alias at the
   * `RestDomainTarget` output. @default undefined (execute-api URL only)
   */
  readonly restDomainName?: string;
  /** ACM certificate ARN for `restDomainName`, in the stack's region. @default undefined */
  readonly restCertificateArn?: string;
  /** Custom domain for the WebSocket API, e.g. `ws.example.com`; needs `webSocketCertificateArn`. @default undefined */
  readonly webSocketDomainName?: string;
  /** ACM certificate ARN for `webSocketDomainName`, in the stack's region. @default undefined */
  readonly webSocketCertificateArn?: string;
  /**
   * When set, a WAF web ACL with one rate-based rule (requests per source IP per 5 minutes, blocked above) is
   * associated with the REST API stage. @default undefined (no web ACL)
   */
  readonly wafRateLimitPer5Minutes?: number;
  /** When set, alarms notify an SNS topic with this e-mail subscribed (confirm the subscription mail). @default undefined */
  readonly alarmEmail?: string;
}

export const DEFAULT_SETTINGS: Settings = {
  stageName: 'v1',
  idTokenValidityMinutes: 60,
  claimWindowSeconds: 60,
  popRetentionDays: 3,
  restThrottleRate: 50,
  restThrottleBurst: 100,
  webSocketThrottleRate: 100,
  webSocketThrottleBurst: 200,
  logRetentionDays: 30,
  environment: 'dev',
};

/** The values CloudWatch Logs accepts for a log group's retention (RetentionDays without INFINITE). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** The context keys read, one per setting (the same names as the Settings fields). */
export const SETTING_NAMES = [
  'stageName',
  'idTokenValidityMinutes',
  'claimWindowSeconds',
  'popRetentionDays',
  'restThrottleRate',
  'restThrottleBurst',
  'webSocketThrottleRate',
  'webSocketThrottleBurst',
  'logRetentionDays',
  'environment',
  'lambdaReservedConcurrency',
  'restDomainName',
  'restCertificateArn',
  'webSocketDomainName',
  'webSocketCertificateArn',
  'wafRateLimitPer5Minutes',
  'alarmEmail',
] as const satisfies readonly (keyof Settings)[];

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

/** Context values arrive as strings from `-c name=value` and as JSON values from cdk.json: accept both. */
function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

function integer(raw: Record<string, unknown>, name: keyof Settings, fallback: number, min: number, max: number): number {
  if (raw[name] === undefined) return fallback;
  const value = toNumber(raw[name]);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InvalidSettingError(name, `must be an integer from ${min} to ${max}`, raw[name]);
  }
  return value;
}

function rate(raw: Record<string, unknown>, name: keyof Settings, fallback: number): number {
  if (raw[name] === undefined) return fallback;
  const value = toNumber(raw[name]);
  // 10,000 requests/s is API Gateway's default account-level limit per region.
  if (!Number.isFinite(value) || value <= 0 || value > 10_000) {
    throw new InvalidSettingError(name, 'must be a number above 0 and at most 10000', raw[name]);
  }
  return value;
}

/** Parse and validate settings from a plain record (context values); absent keys take the defaults. */
export function parseSettings(raw: Readonly<Record<string, unknown>> = {}): Settings {
  const record: Record<string, unknown> = { ...raw };

  const stageName = record.stageName === undefined ? DEFAULT_SETTINGS.stageName : record.stageName;
  if (typeof stageName !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw new InvalidSettingError('stageName', 'must be 1-128 letters, digits, hyphens or underscores', stageName);
  }

  const environment = record.environment === undefined ? DEFAULT_SETTINGS.environment : record.environment;
  if (environment !== 'dev' && environment !== 'prod') {
    throw new InvalidSettingError('environment', 'must be "dev" or "prod"', environment);
  }

  const logRetentionDays = integer(record, 'logRetentionDays', DEFAULT_SETTINGS.logRetentionDays, 1, 3653);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetentionDays)) {
    throw new InvalidSettingError('logRetentionDays', `must be one of ${LOG_RETENTION_DAYS.join(', ')}`, record.logRetentionDays);
  }

  const settings: Settings = {
    stageName,
    environment,
    logRetentionDays,
    idTokenValidityMinutes: integer(record, 'idTokenValidityMinutes', DEFAULT_SETTINGS.idTokenValidityMinutes, 5, 1440),
    claimWindowSeconds: integer(record, 'claimWindowSeconds', DEFAULT_SETTINGS.claimWindowSeconds, 1, 3600),
    popRetentionDays: integer(record, 'popRetentionDays', DEFAULT_SETTINGS.popRetentionDays, 1, 365),
    restThrottleRate: rate(record, 'restThrottleRate', DEFAULT_SETTINGS.restThrottleRate),
    // 5,000 is API Gateway's default account-level burst.
    restThrottleBurst: integer(record, 'restThrottleBurst', DEFAULT_SETTINGS.restThrottleBurst, 1, 5000),
    webSocketThrottleRate: rate(record, 'webSocketThrottleRate', DEFAULT_SETTINGS.webSocketThrottleRate),
    webSocketThrottleBurst: integer(record, 'webSocketThrottleBurst', DEFAULT_SETTINGS.webSocketThrottleBurst, 1, 5000),
  };
  const optional: {
    -readonly [K in 'lambdaReservedConcurrency' | 'wafRateLimitPer5Minutes' | 'alarmEmail' | DomainSetting]?: Settings[K];
  } = {};
  // 0 would throttle every invocation: refuse it rather than deploy a stack that cannot run.
  if (record.lambdaReservedConcurrency !== undefined) {
    optional.lambdaReservedConcurrency = integer(record, 'lambdaReservedConcurrency', 0, 1, 1000);
  }
  // AWS WAF's rate-based rules accept 10 to 2,000,000,000 requests per evaluation window (5 minutes here).
  if (record.wafRateLimitPer5Minutes !== undefined) {
    optional.wafRateLimitPer5Minutes = integer(record, 'wafRateLimitPer5Minutes', 0, 10, 2_000_000_000);
  }
  if (record.alarmEmail !== undefined) {
    if (typeof record.alarmEmail !== 'string' || !EMAIL.test(record.alarmEmail)) {
      throw new InvalidSettingError('alarmEmail', 'must be one e-mail address', record.alarmEmail);
    }
    optional.alarmEmail = record.alarmEmail;
  }
  Object.assign(optional, customDomain(record, 'restDomainName', 'restCertificateArn'));
  Object.assign(optional, customDomain(record, 'webSocketDomainName', 'webSocketCertificateArn'));
  if (optional.restDomainName !== undefined && optional.restDomainName === optional.webSocketDomainName) {
    // API Gateway refuses to map a WebSocket API to a domain name that serves a REST API.
    throw new InvalidSettingError('webSocketDomainName', 'must differ from restDomainName', record.webSocketDomainName);
  }
  return { ...settings, ...optional };
}

type DomainSetting = 'restDomainName' | 'restCertificateArn' | 'webSocketDomainName' | 'webSocketCertificateArn';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** A DNS name of at least two labels, lower case (API Gateway stores custom domain names in lower case). */
const DOMAIN_NAME = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** An ACM certificate ARN in any partition. */
const CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/;

/** A custom domain and its certificate: both or neither. */
function customDomain(
  raw: Record<string, unknown>,
  domainSetting: 'restDomainName' | 'webSocketDomainName',
  certificateSetting: 'restCertificateArn' | 'webSocketCertificateArn',
): Partial<Pick<Settings, DomainSetting>> {
  const domainName = raw[domainSetting];
  const certificateArn = raw[certificateSetting];
  if (domainName === undefined && certificateArn === undefined) return {};
  if (typeof domainName !== 'string' || !DOMAIN_NAME.test(domainName)) {
    const rule = domainName === undefined ? `is required when ${certificateSetting} is set` : 'must be a lower-case DNS name such as api.example.com';
    throw new InvalidSettingError(domainSetting, rule, domainName);
  }
  if (typeof certificateArn !== 'string' || !CERTIFICATE_ARN.test(certificateArn)) {
    const rule =
      certificateArn === undefined
        ? `is required when ${domainSetting} is set`
        : 'must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)';
    throw new InvalidSettingError(certificateSetting, rule, certificateArn);
  }
  return { [domainSetting]: domainName, [certificateSetting]: certificateArn };
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
