/** GET /auth and POST /auth/refresh: Basic credentials or a RefreshToken in, the pool's tokens out (tokenIssuer.ts). */
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import RefreshRequestValidator from '../../contract/generated/RefreshRequest';
import { MAX_SMALL_BODY_BYTES } from '../../contract/limits';
import type { RefreshRequest } from '../../contract/rest';
import { parseJsonBody } from '../edge/requestBody';
import { headerValue, restHandler, type RestHandler } from '../edge/restHandler';
import type { RestOutcome } from '../edge/restAnswer';
import type { RequestLogger } from '../shared/logger';
import { isRefused, type Refused } from '../shared/outcome';
import { parseBasicCredentials } from './basicCredentials';
import { issueTokens, refreshTokens, type TokenResult } from './tokenIssuer';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface TokenDependencies {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly now?: () => number;
}

function answered(result: TokenResult | Refused, log: RequestLogger, line: string): RestOutcome {
  if (isRefused(result)) return result;
  log.info(line, { username: result.User.Username });
  return { kind: 'success', status: 200, result };
}

/** GET /auth: Basic credentials -> the pool's tokens and the user's profile. */
export function makeAuthTokenHandler(deps: TokenDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const credentials = parseBasicCredentials(headerValue(event, 'Authorization'));
    if (isRefused(credentials)) return credentials;
    return answered(await issueTokens(deps, credentials), log, 'Token issued');
  });
}

/** POST /auth/refresh: a RefreshToken -> new IdToken and AccessToken. */
export function makeAuthRefreshHandler(deps: TokenDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const request = parseJsonBody<RefreshRequest>(
      event.body,
      event.isBase64Encoded,
      RefreshRequestValidator,
      MAX_SMALL_BODY_BYTES,
    );
    if (request.kind === 'refused') return request;
    return answered(await refreshTokens(deps, request.value.RefreshToken), log, 'Token refreshed');
  });
}

export const tokenDependencies = (
  settings: Pick<Settings, 'userPoolId' | 'userPoolClientId'>,
  clients: Pick<AwsClients, 'cognito'>,
): TokenDependencies => ({
  cognito: clients.cognito,
  userPoolId: settings.userPoolId,
  clientId: settings.userPoolClientId,
});
