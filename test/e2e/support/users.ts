/** Users and tokens against the e2e stack, through the same provisioning code and the real Cognito client. */
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { adminSignIn } from '../../../provisioning/adminSignIn';
import { createTenantUser, type Role } from '../../../provisioning/tenantUsers';
import { LOCAL_CREDENTIALS } from '../../../local/provision';
import { generatePassword } from '../../../provisioning/password';
import { readEndpoints } from './endpoints';
import { uniqueName } from './names';
import { recordSecret, recordTokens } from './secrets';

export interface TestUser {
  readonly tenant: string;
  readonly role: Role;
  readonly username: string;
  readonly password: string;
}

export interface Tokens {
  readonly IdToken: string;
  readonly AccessToken: string;
  readonly RefreshToken?: string;
  readonly ExpiresIn?: number;
}

let client: CognitoIdentityProviderClient | undefined;

/** One client per test file, pointed at the Cognito emulator. */
export function cognito(): CognitoIdentityProviderClient {
  const endpoints = readEndpoints();
  client ??= new CognitoIdentityProviderClient({
    endpoint: endpoints.CognitoEndpoint,
    region: endpoints.Region,
    credentials: LOCAL_CREDENTIALS,
  });
  return client;
}

/** A new user of `tenant` in the role's group, with a unique name and a generated password. */
export async function createUser(tenant: string, role: Role, username = uniqueName(role)): Promise<TestUser> {
  const password = recordSecret('password', generatePassword());
  await createTenantUser(cognito(), readEndpoints().UserPoolId, { tenant, role, username, password });
  return { tenant, role, username, password };
}

/** Tokens through the API's own `GET /auth` (Basic). Throws with the status and error code when refused. */
export async function getToken(username: string, password: string): Promise<Tokens> {
  const response = await fetch(`${readEndpoints().RestApiUrl}/auth`, {
    headers: {
      Authorization: recordSecret('basic', `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`),
    },
  });
  const body = (await response.json()) as { Success: boolean; Result: Tokens; Error?: { Code: string } };
  if (response.status !== 200 || !body.Success) {
    throw new Error(`GET /auth answered ${response.status} ${body.Error?.Code ?? ''}`);
  }
  return recordTokens(body.Result);
}

/**
 * Tokens straight from Cognito, bypassing the API: server-side AdminInitiateAuth with the client's secret, the only
 * password flow the app client allows (provisioning/adminSignIn.ts). The RefreshToken is Cognito's own, not the API's.
 */
export async function initiateAuth(username: string, password: string): Promise<Tokens> {
  const endpoints = readEndpoints();
  const auth = await adminSignIn(
    cognito(),
    { userPoolId: endpoints.UserPoolId, clientId: endpoints.UserPoolClientId },
    username,
    password,
  );
  if (!auth.IdToken || !auth.AccessToken) throw new Error('AdminInitiateAuth returned no tokens');
  recordTokens(auth);
  return {
    IdToken: auth.IdToken,
    AccessToken: auth.AccessToken,
    ...(auth.RefreshToken ? { RefreshToken: auth.RefreshToken } : {}),
    ...(auth.ExpiresIn ? { ExpiresIn: auth.ExpiresIn } : {}),
  };
}
