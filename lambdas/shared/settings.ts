/**
 * The Lambdas' configuration: read once at cold start from the environment by `readSettings`, checked against the
 * contract's schema (contract/lambdaEnvironment.ts), failing fast with the variable's name. The CDK stack and the
 * local stack set the same names; the *_ENDPOINT ones exist only locally (they point the real SDK clients at the
 * emulators). The local gateway builds `Settings` directly, without the environment.
 */
import LambdaEnvironment from '../../contract/generated/LambdaEnvironment';
import { problemsOf } from '../../contract/problems';
import type { HandlerNeeds } from '../handlerNeeds';
import { DEFAULT_RETRY_SECONDS, parseSchedule } from '../webhooks/backoff';

export const ENV = {
  region: 'AWS_REGION',
  userPoolId: 'USER_POOL_ID',
  userPoolClientId: 'USER_POOL_CLIENT_ID',
  tableName: 'TABLE_NAME',
  /** Management API endpoint: `stage.callbackUrl` in AWS, `http://127.0.0.1:<WS_PORT>/<stage>` locally. */
  connectionsEndpoint: 'CONNECTIONS_ENDPOINT',
  claimWindowSeconds: 'CLAIM_WINDOW_SECONDS',
  popRetentionDays: 'POP_RETENTION_DAYS',
  /** Local only: the Cognito emulator (also the token issuer base). */
  cognitoEndpoint: 'COGNITO_ENDPOINT',
  /** Local only: the DynamoDB emulator. */
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  /** The webhook delivery queue (lib/webhooks.ts; locally local/queue/). */
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  /** The hold timer's queue: a held pop's deadline (lambdas/pops/holdExpiry.ts, lib/heldPops.ts). */
  holdQueueUrl: 'HOLD_QUEUE_URL',
  /** The webhook back-off in seconds, comma-separated (lambdas/webhooks/backoff.ts); short in tests. */
  webhookRetrySeconds: 'WEBHOOK_RETRY_SECONDS',
  /** The KMS key of the webhook signing secrets (lib/webhookKey.ts): its ARN. */
  webhookKeyId: 'WEBHOOK_KEY_ID',
  /** Local only: the KMS emulation (local/kms/). */
  kmsEndpoint: 'KMS_ENDPOINT',
  /** `true` only in the local stack: webhooks may use plain http to loopback. */
  webhookAllowLoopbackHttp: 'WEBHOOK_ALLOW_LOOPBACK_HTTP',
  /** CloudWatch namespace of the metrics (Powertools Metrics reads the same variable). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
} as const;

export const DEFAULT_CLAIM_WINDOW_SECONDS = 60;
export const DEFAULT_POP_RETENTION_DAYS = 3;

/** Everything a handler may be configured with; each handler reads the part it needs. */
export interface Settings {
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly tableName: string;
  readonly connectionsEndpoint: string;
  readonly claimWindowSeconds: number;
  readonly popRetentionDays: number;
  /** Webhooks (lambdas/webhooks/): absent where a stack has none to deliver (tests of other features). */
  readonly webhookQueueUrl?: string;
  /** @default DEFAULT_RETRY_SECONDS in lambdas/webhooks/backoff.ts */
  readonly webhookRetrySeconds?: readonly number[];
  readonly webhookAllowLoopbackHttp?: boolean;
  /** The webhook secrets' KMS key (lambdas/webhooks/secretBox.ts): needed by the functions with `webhookKey`. */
  readonly webhookKeyId?: string;
  readonly kmsEndpoint?: string;
  /** The local stack's own ports, which no webhook may call (lambdas/webhooks/urlGuard.ts `deniedPorts`). */
  readonly webhookDeniedPorts?: readonly number[];
  /** Held pops' timer (lambdas/pops/holdExpiry.ts): absent, a held pop's deadline is kept where it is read or delivered. */
  readonly holdQueueUrl?: string;
  readonly cognitoEndpoint?: string;
  readonly dynamoDbEndpoint?: string;
  readonly metricsNamespace?: string;
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** The variables a function with these needs cannot start without. */
export function requiredVariables(needs: HandlerNeeds): string[] {
  const required: string[] = [];
  const connections = needs.manageConnections || needs.probeConnections;
  if (needs.table || needs.userPool || connections) required.push(ENV.region);
  if (needs.table) required.push(ENV.tableName);
  if (needs.userPool) required.push(ENV.userPoolId, ENV.userPoolClientId);
  if (connections) required.push(ENV.connectionsEndpoint);
  if (needs.webhookQueue) required.push(ENV.region, ENV.webhookQueueUrl);
  if (needs.webhookKey) required.push(ENV.region, ENV.webhookKeyId);
  // A sender without it still keeps every deadline, at read and delivery time (lambdas/pops/holdExpiry.ts); the stack sets it.
  if (needs.holdQueue === 'consume') required.push(ENV.region, ENV.holdQueueUrl);
  return required;
}

/** An empty or blank variable counts as unset, as a missing one does. */
function present(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const name of Object.values(ENV)) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') values[name] = value;
  }
  return values;
}

/**
 * Read and check the environment once: a variable of the wrong form or one this function needs and lacks stops the
 * cold start with its name (`TABLE_NAME: is required`). Settings a function does not need are left empty.
 */
export function readSettings(env: Readonly<Record<string, string | undefined>>, needs: HandlerNeeds): Settings {
  const values = present(env);
  const schedule =
    values[ENV.webhookRetrySeconds] === undefined
      ? DEFAULT_RETRY_SECONDS
      : parseSchedule(values[ENV.webhookRetrySeconds]);
  const problems = [
    ...problemsOf(LambdaEnvironment, values),
    ...(schedule ? [] : [`${ENV.webhookRetrySeconds}: must be whole seconds, comma-separated`]),
    ...requiredVariables(needs)
      .filter((name) => values[name] === undefined)
      .map((name) => `${name}: is required`),
  ];
  if (problems.length > 0) throw new ConfigurationError(`Invalid Lambda environment: ${problems.join('; ')}`);
  const integer = (name: string, fallback: number) => (values[name] === undefined ? fallback : Number(values[name]));
  return {
    region: values[ENV.region] ?? '',
    userPoolId: values[ENV.userPoolId] ?? '',
    userPoolClientId: values[ENV.userPoolClientId] ?? '',
    tableName: values[ENV.tableName] ?? '',
    connectionsEndpoint: values[ENV.connectionsEndpoint] ?? '',
    claimWindowSeconds: integer(ENV.claimWindowSeconds, DEFAULT_CLAIM_WINDOW_SECONDS),
    popRetentionDays: integer(ENV.popRetentionDays, DEFAULT_POP_RETENTION_DAYS),
    ...(values[ENV.webhookQueueUrl] ? { webhookQueueUrl: values[ENV.webhookQueueUrl] } : {}),
    ...(values[ENV.holdQueueUrl] ? { holdQueueUrl: values[ENV.holdQueueUrl] } : {}),
    webhookRetrySeconds: schedule!,
    webhookAllowLoopbackHttp: values[ENV.webhookAllowLoopbackHttp] === 'true',
    ...(values[ENV.cognitoEndpoint] ? { cognitoEndpoint: values[ENV.cognitoEndpoint] } : {}),
    ...(values[ENV.dynamoDbEndpoint] ? { dynamoDbEndpoint: values[ENV.dynamoDbEndpoint] } : {}),
    ...(values[ENV.webhookKeyId] ? { webhookKeyId: values[ENV.webhookKeyId] } : {}),
    ...(values[ENV.kmsEndpoint] ? { kmsEndpoint: values[ENV.kmsEndpoint] } : {}),
    ...(values[ENV.metricsNamespace] ? { metricsNamespace: values[ENV.metricsNamespace] } : {}),
  };
}
