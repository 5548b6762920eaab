/**
 * The environment a Lambda reads once at cold start (lambdas/shared/settings.ts), as the CDK stack (lib/functions.ts)
 * sets it. Every variable is optional here: which ones a function must have follows from what it needs
 * (HANDLER_NEEDS in lambdas/apiRoutes.ts), so one schema serves every function. Values are environment strings.
 */
import { Type, type Static } from '@sinclair/typebox';

const text = Type.String({ minLength: 1, pattern: '\\S' });
/** A positive whole number, as the environment carries it. */
const positiveInteger = Type.String({ pattern: '^\\s*0*[1-9][0-9]*\\s*$' });
const url = Type.String({ pattern: '^https?://\\S+$' });

export const LambdaEnvironment = Type.Object(
  {
    AWS_REGION: Type.Optional(text),
    USER_POOL_ID: Type.Optional(text),
    USER_POOL_CLIENT_ID: Type.Optional(text),
    TABLE_NAME: Type.Optional(text),
    CONNECTIONS_ENDPOINT: Type.Optional(url),
    CLAIM_WINDOW_SECONDS: Type.Optional(positiveInteger),
    POP_RETENTION_DAYS: Type.Optional(positiveInteger),
    COGNITO_ENDPOINT: Type.Optional(url),
    DYNAMODB_ENDPOINT: Type.Optional(url),
    POWERTOOLS_METRICS_NAMESPACE: Type.Optional(text),
  },
  { description: "A Lambda function's environment variables (any others are ignored)." },
);
export type LambdaEnvironment = Static<typeof LambdaEnvironment>;
