import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Settings } from '../shared/settings';
import type { ClientCredentials } from './awsClients';

/**
 * The endpoint is injected (stage.callbackUrl in AWS, the local gateway's URL locally), never built from
 * requestContext.domainName, which breaks locally and behind custom domains.
 */
export function createConnectionsClient(
  settings: Pick<Settings, 'region' | 'connectionsEndpoint'>,
  credentials?: ClientCredentials,
): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    region: settings.region,
    endpoint: settings.connectionsEndpoint,
    maxAttempts: 2,
    ...(credentials ? { credentials } : {}),
  });
}
