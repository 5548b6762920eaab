import { cognitoClient } from '../clients/cognitoClient';
import { parseRefreshRequest } from '../domain/refreshRequest';
import { refreshTokens } from '../domain/tokenIssuer';
import { restHandler } from '../shared/restResponse';
import { ENV, requireEnv } from '../shared/settings';

const deps = {
  cognito: cognitoClient(),
  userPoolId: requireEnv(ENV.userPoolId),
  clientId: requireEnv(ENV.userPoolClientId),
};

/** POST /auth/refresh: a RefreshToken -> new IdToken and AccessToken. */
export const handler = restHandler(async ({ event, log }) => {
  const request = parseRefreshRequest(event.body, event.isBase64Encoded);
  const result = await refreshTokens(deps, request.RefreshToken);
  log.info('Token refreshed', { username: result.User.Username });
  return { statusCode: 200, result };
});
