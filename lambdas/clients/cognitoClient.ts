import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { ENV, optionalEnv, requireEnv } from '../shared/settings';

let client: CognitoIdentityProviderClient | undefined;

/** One client per container. In AWS: the runtime's region and role; locally COGNITO_ENDPOINT points it at the emulator. */
export function cognitoClient(): CognitoIdentityProviderClient {
  client ??= new CognitoIdentityProviderClient({
    region: requireEnv(ENV.region),
    endpoint: optionalEnv(ENV.cognitoEndpoint),
    maxAttempts: 2,
  });
  return client;
}
