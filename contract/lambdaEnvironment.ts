/**
 * The environment a Lambda reads once at cold start (lambdas/shared/settings.ts), as the CDK stack (lib/functions.ts)
 * sets it: the forms of the variables that can be wrong, by name pattern. The others (AWS_REGION, USER_POOL_ID,
 * USER_POOL_CLIENT_ID, TABLE_NAME, POWERTOOLS_METRICS_NAMESPACE) are any non-blank text, which the reader checks by
 * their presence alone. Grouped by pattern because every Lambda bundle carries the compiled validator: one check per
 * form, not per variable. Which variables a function must have follows from what it needs (HANDLER_NEEDS in
 * lambdas/handlerNeeds.ts), so one schema serves every function.
 */
import { Type } from '@sinclair/typebox';

export const LambdaEnvironment = Type.Object(
  {},
  {
    description: "A Lambda function's environment variables (any others are ignored).",
    patternProperties: {
      /** Endpoints: the management API's, and locally the emulators'. */
      '^(CONNECTIONS|COGNITO|DYNAMODB|KMS)_ENDPOINT$': { type: 'string', pattern: '^https?://\\S+$' },
      /** Positive whole numbers. */
      '^(CLAIM_WINDOW_SECONDS|POP_RETENTION_DAYS)$': { type: 'string', pattern: '^\\s*0*[1-9][0-9]*\\s*$' },
    },
  },
);
