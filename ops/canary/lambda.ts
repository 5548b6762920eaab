/**
 * The canary's Lambda entry (lib/canary.ts bundles it): reads the environment once, builds the SDK clients once, and
 * publishes the two metrics as one EMF line through Powertools Metrics (a 0 is written too: a failed run is a point).
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { METRICS_NAMESPACE_ENV } from '../../lambdas/shared/metricNames';
import { CANARY_METRIC, makeCanaryHandler, type CanaryMetrics } from './canary';
import { CANARY_ENV } from './environment';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`The canary needs the environment variable ${name}`);
  return value;
}

function emfMetrics(namespace: string): CanaryMetrics {
  const metrics = new Metrics({ namespace });
  metrics.clearDefaultDimensions();
  return {
    publish(success, latencyMs) {
      metrics.addMetric(CANARY_METRIC.success, MetricUnit.Count, success ? 1 : 0);
      if (latencyMs !== undefined) metrics.addMetric(CANARY_METRIC.latency, MetricUnit.Milliseconds, latencyMs);
      metrics.publishStoredMetrics();
    },
  };
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
