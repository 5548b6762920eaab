/**
 * The app client's secret and the SECRET_HASH Cognito asks for with it. The secret is read once per container with
 * DescribeUserPoolClient (never from the environment, never logged): only the auth functions' roles may call it.
 */
import { createHmac } from 'node:crypto';
import {
  DescribeUserPoolClientCommand,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';

/**
 * AWS's formula ("Computing secret hash values", Cognito developer guide):
 * Base64(HMAC_SHA256(key = client secret, message = username + client id)). The username is the user's name in the
 * pool (the IdToken's `cognito:username`), which for REFRESH_TOKEN_AUTH must be the name of the refresh token's user.
 */
export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId, 'utf8')
    .digest('base64');
}

export interface AppClient {
  readonly userPoolId: string;
  readonly clientId: string;
}

/** The client's secret as Cognito holds it; throws when the client has none (a stack that was not upgraded). */
export async function readClientSecret(cognito: CognitoIdentityProviderClient, client: AppClient): Promise<string> {
  const answer = await cognito.send(
    new DescribeUserPoolClientCommand({ UserPoolId: client.userPoolId, ClientId: client.clientId }),
  );
  const secret = answer.UserPoolClient?.ClientSecret;
  if (!secret) throw new Error('The app client has no secret');
  return secret;
}

/**
 * The secret read once: started at cold start (outside the first request's time), kept when it arrives, asked again
 * by the next call if reading it failed (a throttle must not leave the container without it for its whole life).
 */
export function clientSecretOnce(read: () => Promise<string>): () => Promise<string> {
  let pending: Promise<string> | undefined;
  const load = (): Promise<string> => {
    pending ??= read().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
  // Started now so a cold start overlaps it with the rest of the init; an early failure is retried on first use.
  load().catch(() => undefined);
  return load;
}
