/**
 * Environment variables the Lambdas read at cold start. The CDK stack and the local stack set the same names;
 * the *_ENDPOINT ones exist only locally (they point the real SDK clients at the emulators).
 */
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
} as const;

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** Read a required variable; a missing one stops the cold start with the variable's name. */
export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Missing required environment variable ${name}`);
  }
  return value;
}

export function optionalEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
}

export function positiveIntegerEnv(name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = optionalEnv(name, env);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}
