import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { ENV, requireEnv } from '../shared/settings';

let client: ApiGatewayManagementApiClient | undefined;

/**
 * One client per container. The endpoint is injected (stage.callbackUrl in AWS, the local gateway's URL locally),
 * never built from requestContext.domainName, which breaks locally and behind custom domains.
 */
export function connectionsClient(): ApiGatewayManagementApiClient {
  client ??= new ApiGatewayManagementApiClient({
    region: requireEnv(ENV.region),
    endpoint: requireEnv(ENV.connectionsEndpoint),
    maxAttempts: 2,
  });
  return client;
}
