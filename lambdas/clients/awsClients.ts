/**
 * The SDK clients, built from Settings. In AWS each binding (lambdas/handlers/) builds the one client per service it
 * needs at module scope: the runtime's region and role, reused across invocations. Locally the *_ENDPOINT settings
 * point them at the emulators, with the emulators' credentials. Each builder sits in its own module so that a bundle
 * carries only the SDK packages its function uses.
 */
import type { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DataKeys } from '../webhooks/secretBox';
import type { QueueClient } from './queueClient';

export interface AwsClients {
  readonly db: DynamoDBDocumentClient;
  readonly management: ApiGatewayManagementApiClient;
  readonly cognito: CognitoIdentityProviderClient;
  /** The webhook delivery queue's client; built from the settings where absent (lambdas/webhooks/). */
  readonly queue?: QueueClient;
  /** The hold timer's queue client (lambdas/pops/holdExpiry.ts); built from the settings where absent. */
  readonly holdQueue?: QueueClient;
  /** The webhook secrets' KMS key (lambdas/clients/kmsClient.ts); built from the settings where absent. */
  readonly dataKeys?: DataKeys;
}

/** Static credentials, for the emulators only; in AWS the function's role is used. */
export interface ClientCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}
