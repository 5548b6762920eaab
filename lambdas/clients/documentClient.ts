import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV, optionalEnv, requireEnv } from '../shared/settings';

let client: DynamoDBDocumentClient | undefined;

/** One client per container; locally DYNAMODB_ENDPOINT points it at the emulator. */
export function documentClient(): DynamoDBDocumentClient {
  client ??= DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region: requireEnv(ENV.region),
      endpoint: optionalEnv(ENV.dynamoDbEndpoint),
      maxAttempts: 3,
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  return client;
}
