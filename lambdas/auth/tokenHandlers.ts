/** GET /auth and POST /auth/refresh: Basic credentials or a RefreshToken in, the pool's tokens out (tokenIssuer.ts). */
import type { CognitoIdentityProviderClient, ContextDataType } from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import RefreshRequestValidator from '../../contract/generated/RefreshRequest';
import { MAX_SMALL_BODY_BYTES } from '../../contract/limits';
import type { RefreshRequest } from '../../contract/rest';
import { parseJsonBody } from '../edge/requestBody';
import { headerValue, restHandler, type RestHandler } from '../edge/restHandler';
import type { RestOutcome } from '../edge/restAnswer';
import type { RequestLogger } from '../shared/logger';
import { isRefused, type Refused } from '../shared/outcome';
import { clientSecretOnce, readClientSecret } from './appClient';
import { parseBasicCredentials } from './basicCredentials';
import { issueTokens, refreshTokens, type TokenResult } from './tokenIssuer';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface TokenDependencies {
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly clientSecret: () => Promise<string>;
  readonly now?: () => number;
}

/** Headers Cognito's threat protection need not see: the caller's password (Basic) and anything like a session. */
const UNSHARED_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/**
 * The caller's request as Cognito's ContextData (AdminInitiateAuth): its source IP as API Gateway saw it, the API's
 * host and path, its headers. Cognito's threat protection scores the sign-in from these, not from this function.
 */
export function callerContext(event: APIGatewayProxyEvent): ContextDataType {
  const headers = Object.entries(event.headers ?? {})
    .filter(([name, value]) => value !== undefined && !UNSHARED_HEADERS.has(name.toLowerCase()))
    .map(([headerName, headerValue]) => ({ headerName, headerValue: headerValue as string }));
  return {
    IpAddress: event.requestContext?.identity?.sourceIp ?? '',
    ServerName: event.requestContext?.domainName ?? headerValue(event, 'Host') ?? '',
    ServerPath: event.requestContext?.path ?? event.path ?? '',
    HttpHeaders: headers,
  };
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
    return answered(await issueTokens(deps, credentials, callerContext(event)), log, 'Token issued');
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
    return answered(
      await refreshTokens(deps, request.value.RefreshToken, callerContext(event)),
      log,
      'Token refreshed',
    );
  });
}

export const tokenDependencies = (
  settings: Pick<Settings, 'userPoolId' | 'userPoolClientId'>,
  clients: Pick<AwsClients, 'cognito'>,
): TokenDependencies => {
  const client = { userPoolId: settings.userPoolId, clientId: settings.userPoolClientId };
  return {
    cognito: clients.cognito,
    ...client,
    // DescribeUserPoolClient at cold start (the role may call it on this pool only; lambdas/handlerNeeds.ts).
    clientSecret: clientSecretOnce(() => readClientSecret(clients.cognito, client)),
  };
};
