import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Settings } from '../shared/settings';
import type { ClientCredentials } from './awsClients';

/** Locally `dynamoDbEndpoint` points it at the emulator. */
export function createDocumentClient(
  settings: Pick<Settings, 'region' | 'dynamoDbEndpoint'>,
  credentials?: ClientCredentials,
): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: settings.region,
      endpoint: settings.dynamoDbEndpoint,
      maxAttempts: 3,
      ...(credentials ? { credentials } : {}),
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
}
