import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  type AdminInitiateAuthCommandOutput,
  type AuthenticationResultType,
  type CognitoIdentityProviderClient,
  type ContextDataType,
} from '@aws-sdk/client-cognito-identity-provider';
import { decomposeUnverifiedJwt } from 'aws-jwt-verify/jwt';
import type { TokenResult as ContractTokenResult, User } from '../../contract/rest';
import { isRefused, refuse, type Refused } from '../shared/outcome';
import { secretHash } from './appClient';
import type { BasicCredentials } from './basicCredentials';
import { openRefreshToken, sealRefreshToken } from './refreshEnvelope';

export interface TokenIssuerDeps {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The app client's secret (appClient.ts clientSecretOnce): read once per container, never logged. */
  readonly clientSecret: () => Promise<string>;
  readonly now?: () => number;
}

/** GET /auth's result; POST /auth/refresh's is the same without a RefreshToken. */
export type TokenResult = Omit<ContractTokenResult, 'RefreshToken'> & { RefreshToken?: string };

const NOT_AUTHORIZED_MESSAGE = 'The username or password is not valid.';
const notAuthorized = () => refuse('NotAuthorized', NOT_AUTHORIZED_MESSAGE);
const passwordResetRequired = () =>
  refuse('PasswordResetRequired', 'This user must have a new password set by the vendor before it can authenticate.');
// One answer for every refresh token that does not work, including one kept from before sign-in moved behind the API
// (docs/edge.md: such a token was Cognito's own, and the client that issued it is gone).
const refreshNotAuthorized = () =>
  refuse('NotAuthorized', 'The refresh token is not valid, has expired or was revoked; sign in again with GET /auth.');

/**
 * Exchange Basic credentials for the pool's tokens, with the user's profile: server-side ADMIN_USER_PASSWORD_AUTH
 * with the client's SECRET_HASH and the caller's request as ContextData, so threat protection scores the caller, not
 * this function. Wrong password, unknown user and disabled user all give the same NotAuthorized (no username probing).
 */
export async function issueTokens(
  deps: TokenIssuerDeps,
  credentials: BasicCredentials,
  context: ContextDataType,
): Promise<TokenResult | Refused> {
  const secret = await clientSecret(deps);
  if (isRefused(secret)) return secret;
  const response = await callCognito(() =>
    deps.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: deps.userPoolId,
        ClientId: deps.clientId,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: {
          USERNAME: credentials.username,
          PASSWORD: credentials.password,
          SECRET_HASH: secretHash(secret, credentials.username, deps.clientId),
        },
        ContextData: context,
      }),
    ),
  );
  if (isRefused(response)) return response;
  // NEW_PASSWORD_REQUIRED and the like: the account must be finished by the vendor before it can call the API.
  if (response.ChallengeName) return passwordResetRequired();
  const auth = response.AuthenticationResult;
  // The pool's own name for the user (sign-in is case-insensitive): the one a refresh's SECRET_HASH is computed from.
  const username = pooledUsername(auth) ?? credentials.username;
  const result = await tokenResult(deps, auth, username);
  if (isRefused(result) || !auth?.RefreshToken) return result;
  return { ...result, RefreshToken: sealRefreshToken(secret, { username, cognitoRefreshToken: auth.RefreshToken }) };
}

/** REFRESH_TOKEN_AUTH on the envelope's Cognito token, SECRET_HASH from its user: new IdToken and AccessToken. */
export async function refreshTokens(
  deps: TokenIssuerDeps,
  refreshToken: string,
  context: ContextDataType,
): Promise<TokenResult | Refused> {
  const secret = await clientSecret(deps);
  if (isRefused(secret)) return secret;
  const grant = openRefreshToken(secret, refreshToken);
  if (!grant) return refreshNotAuthorized();
  const response: AdminInitiateAuthCommandOutput | Refused = await callCognito(() =>
    deps.cognito.send(
      new AdminInitiateAuthCommand({
        UserPoolId: deps.userPoolId,
        ClientId: deps.clientId,
        AuthFlow: 'REFRESH_TOKEN_AUTH',
        AuthParameters: {
          REFRESH_TOKEN: grant.cognitoRefreshToken,
          SECRET_HASH: secretHash(secret, grant.username, deps.clientId),
        },
        ContextData: context,
      }),
    ),
  );
  if (isRefused(response)) return refreshRefusal(response);
  const username = pooledUsername(response.AuthenticationResult);
  if (username === undefined) return refuse('UpstreamError', 'The identity provider returned an unreadable token.');
  const result = await tokenResult(deps, response.AuthenticationResult, username);
  return isRefused(result) ? refreshRefusal(result) : result;
}

async function clientSecret(deps: TokenIssuerDeps): Promise<string | Refused> {
  try {
    return await deps.clientSecret();
  } catch {
    // Never the error itself: the answer and the log must not carry anything about the secret.
    return refuse('UpstreamError', 'The identity provider could not complete the request; retry later.');
  }
}

function pooledUsername(auth: AuthenticationResultType | undefined): string | undefined {
  const username = unverifiedClaims(auth?.IdToken)['cognito:username'];
  return typeof username === 'string' && username ? username : undefined;
}

/** The refresh path has no username or password: its NotAuthorized names the token (Cognito's other refusals stand). */
const refreshRefusal = (refused: Refused): Refused =>
  refused.code === 'NotAuthorized' ? refreshNotAuthorized() : refused;

async function tokenResult(
  deps: TokenIssuerDeps,
  auth: AuthenticationResultType | undefined,
  username: string,
): Promise<TokenResult | Refused> {
  if (!auth?.IdToken || !auth.AccessToken) return refuse('UpstreamError', 'The identity provider returned no tokens.');
  const user = await callCognito(() =>
    deps.cognito.send(new AdminGetUserCommand({ UserPoolId: deps.userPoolId, Username: username })),
  );
  if (isRefused(user)) return user;
  // Cognito refuses a disabled user before issuing tokens; cognito-local does not, so check here for both.
  if (user.Enabled === false) return notAuthorized();
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const attribute of user.UserAttributes ?? []) {
    if (attribute.Name && attribute.Value !== undefined) attributes[attribute.Name] = attribute.Value;
  }
  const profile: User = {
    Username: user.Username ?? username,
    Email: attributes.email ?? null,
    Attributes: attributes,
    Created: isoDate(user.UserCreateDate),
    LastUpdated: isoDate(user.UserLastModifiedDate),
    Status: user.UserStatus ?? null,
  };
  const now = deps.now?.() ?? Date.now();
  return {
    Authenticated: true,
    IdToken: auth.IdToken,
    AccessToken: auth.AccessToken,
    // The emulator omits ExpiresIn; the IdToken's own exp is the truth in both places.
    ExpiresIn: auth.ExpiresIn ?? secondsUntilExpiry(auth.IdToken, now),
    User: profile,
  };
}

/** Cognito's refusals as the contract's; anything unexpected is an upstream error, never a stack trace. */
async function callCognito<T>(call: () => Promise<T>): Promise<T | Refused> {
  try {
    return await call();
  } catch (error) {
    return cognitoFailure(error);
  }
}

export function cognitoFailure(error: unknown): Refused {
  switch ((error as { name?: string })?.name ?? '') {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
    case 'UserNotConfirmedException':
    // cognito-local answers a wrong password with InvalidPasswordException; Cognito answers NotAuthorizedException.
    case 'InvalidPasswordException':
      return notAuthorized();
    case 'PasswordResetRequiredException':
      return passwordResetRequired();
    case 'TooManyRequestsException':
    case 'LimitExceededException':
    case 'TooManyFailedAttemptsException':
      return refuse('TooManyRequests', 'Too many authentication requests; re-use tokens and retry later.', {
        retryAfterSeconds: 1,
      });
    default:
      return refuse('UpstreamError', 'The identity provider could not complete the request; retry later.');
  }
}

function isoDate(date: Date | undefined): string | null {
  return date instanceof Date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

/** The claims of a token Cognito just issued to us over TLS: read, not verified (nothing is granted on them). */
function unverifiedClaims(jwt: string | undefined): Record<string, unknown> {
  try {
    return decomposeUnverifiedJwt(jwt).payload;
  } catch {
    return {};
  }
}

function secondsUntilExpiry(idToken: string, now: number): number {
  const exp = unverifiedClaims(idToken).exp;
  return typeof exp === 'number' ? Math.max(0, Math.round(exp - now / 1000)) : 0;
}
