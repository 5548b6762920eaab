import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Settings } from '../shared/settings';
import type { ClientCredentials } from './awsClients';

/** Locally `cognitoEndpoint` points it at the emulator. */
export function createCognitoClient(
  settings: Pick<Settings, 'region' | 'cognitoEndpoint'>,
  credentials?: ClientCredentials,
): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    region: settings.region,
    endpoint: settings.cognitoEndpoint,
    maxAttempts: 2,
    ...(credentials ? { credentials } : {}),
  });
}
