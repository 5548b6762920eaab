/**
 * The canary's Lambda entry (lib/canary.ts bundles it): reads the environment once, builds the SDK clients once, and
 * publishes the two metrics as one EMF line (metrics.ts).
 */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { METRICS_NAMESPACE_ENV } from '../../lambdas/shared/metricNames';
import { makeCanaryHandler } from './canary';
import { emfMetrics } from './metrics';
import { CANARY_ENV } from './environment';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`The canary needs the environment variable ${name}`);
  return value;
}

const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}));

export const handler = makeCanaryHandler({
  stack: {
    restApiUrl: required(CANARY_ENV.restApiUrl).replace(/\/+$/, ''),
    webSocketUrl: required(CANARY_ENV.webSocketUrl),
    userPoolId: required(CANARY_ENV.userPoolId),
    local: false,
    cognito: new CognitoIdentityProviderClient({}),
    table: { client: dynamo, tableName: required(CANARY_ENV.tableName) },
  },
  tenant: required(CANARY_ENV.tenant),
  metrics: emfMetrics(required(METRICS_NAMESPACE_ENV)),
});
