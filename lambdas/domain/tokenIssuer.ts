import {
  AdminGetUserCommand,
  InitiateAuthCommand,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { ApiError } from '../shared/apiError';
import type { BasicCredentials } from './basicCredentials';

export interface TokenIssuerDeps {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly now?: () => number;
}

export interface UserBlock {
  Username: string;
  Email: string | null;
  Attributes: Record<string, string>;
  Created: string | null;
  LastUpdated: string | null;
  Status: string | null;
}

export interface TokenResult {
  Authenticated: true;
  IdToken: string;
  AccessToken: string;
  RefreshToken?: string;
  ExpiresIn: number;
  User: UserBlock;
}

const NOT_AUTHORIZED_MESSAGE = 'The username or password is not valid.';

/**
 * Exchange Basic credentials for the pool's tokens (USER_PASSWORD_AUTH), with the user's profile.
 * Wrong password, unknown user and disabled user all give the same 401 so usernames cannot be probed.
 */
export async function issueTokens(deps: TokenIssuerDeps, credentials: BasicCredentials): Promise<TokenResult> {
  const response = await callCognito(() =>
    deps.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'USER_PASSWORD_AUTH',
        ClientId: deps.clientId,
        AuthParameters: { USERNAME: credentials.username, PASSWORD: credentials.password },
      }),
    ),
  );
  if (response.ChallengeName) {
    // NEW_PASSWORD_REQUIRED and the like: the account must be finished by the vendor before it can call the API.
    throw passwordResetRequired();
  }
  return tokenResult(deps, response.AuthenticationResult, credentials.username, true);
}

/** REFRESH_TOKEN_AUTH: new IdToken and AccessToken; no new RefreshToken. */
export async function refreshTokens(deps: TokenIssuerDeps, refreshToken: string): Promise<TokenResult> {
  const response = await callCognito(() =>
    deps.cognito.send(
      new InitiateAuthCommand({
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        ClientId: deps.clientId,
        AuthParameters: { REFRESH_TOKEN: refreshToken },
      }),
    ),
  );
  const username = usernameOf(response.AuthenticationResult?.IdToken);
  return tokenResult(deps, response.AuthenticationResult, username, false);
}

async function tokenResult(
  deps: TokenIssuerDeps,
  auth: AuthenticationResultType | undefined,
  username: string,
  withRefreshToken: boolean,
): Promise<TokenResult> {
  if (!auth?.IdToken || !auth.AccessToken) {
    throw new ApiError(502, 'UpstreamError', 'The identity provider returned no tokens.');
  }
  const user = await callCognito(() =>
    deps.cognito.send(new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: username })),
  );
  // Cognito refuses a disabled user before issuing tokens; cognito-local does not, so check here for both.
  if (user.Enabled === false) throw new ApiError(401, 'NotAuthorized', NOT_AUTHORIZED_MESSAGE);
  const attributes: Record<string, string> = {};
  for (const attribute of user.UserAttributes ?? []) {
    if (attribute.Name && attribute.Value !== undefined) attributes[attribute.Name] = attribute.Value;
  }
  const now = deps.now?.() ?? Date.now();
  const result: TokenResult = {
    Authenticated: true,
    IdToken: auth.IdToken,
    AccessToken: auth.AccessToken,
    // The emulator omits ExpiresIn; the IdToken's own exp is the truth in both places.
    ExpiresIn: auth.ExpiresIn ?? secondsUntilExpiry(auth.IdToken, now),
    User: {
      Username: user.Username ?? username,
      Email: attributes.email ?? null,
      Attributes: attributes,
      Created: isoDate(user.UserCreateDate),
      LastUpdated: isoDate(user.UserLastModifiedDate),
      Status: user.UserStatus ?? null,
    },
  };
  if (withRefreshToken && auth.RefreshToken) result.RefreshToken = auth.RefreshToken;
  return result;
}

function passwordResetRequired(): ApiError {
  return new ApiError(
    403,
    'PasswordResetRequired',
    'This user must have a new password set by the vendor before it can authenticate.',
  );
}

/** Map Cognito's refusals to the contract; anything unexpected is an upstream error, never a stack trace. */
async function callCognito<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw cognitoFailure(error);
  }
}

export function cognitoFailure(error: unknown): ApiError {
  const name = (error as { name?: string })?.name ?? '';
  switch (name) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
    case 'UserNotConfirmedException':
    // cognito-local answers a wrong password with InvalidPasswordException; Cognito answers NotAuthorizedException.
    case 'InvalidPasswordException':
      return new ApiError(401, 'NotAuthorized', NOT_AUTHORIZED_MESSAGE);
    case 'PasswordResetRequiredException':
      return passwordResetRequired();
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return new ApiError(429, 'TooManyRequests', 'Too many authentication requests; re-use tokens and retry later.', [], {
        'Retry-After': '1',
      });
    default:
      return new ApiError(502, 'UpstreamError', 'The identity provider could not complete the request; retry later.');
  }
}

function isoDate(date: Date | undefined): string | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

function decodePayload(jwt: string | undefined): Record<string, unknown> {
  const payload = jwt?.split('.')[1];
  if (!payload) return {};
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return {};
  }
}

function secondsUntilExpiry(idToken: string, now: number): number {
  const exp = decodePayload(idToken).exp;
  return typeof exp === 'number' ? Math.max(0, Math.round(exp - now / 1000)) : 0;
}

function usernameOf(idToken: string | undefined): string {
  const username = decodePayload(idToken)['cognito:username'];
  if (typeof username !== 'string') {
    throw new ApiError(502, 'UpstreamError', 'The identity provider returned an unreadable token.');
  }
  return username;
}
