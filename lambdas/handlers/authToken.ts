import { cognitoClient } from '../clients/cognitoClient';
import { parseBasicCredentials } from '../domain/basicCredentials';
import { issueTokens } from '../domain/tokenIssuer';
import { headerValue, restHandler } from '../shared/restResponse';
import { ENV, requireEnv } from '../shared/settings';

// Configuration read once per container; a missing variable fails the cold start, not a request.
const deps = {
  cognito: cognitoClient(),
  userPoolId: requireEnv(ENV.userPoolId),
  clientId: requireEnv(ENV.userPoolClientId),
};

/** GET /auth: Basic credentials -> the pool's tokens and the user's profile. */
export const handler = restHandler(async ({ event, log }) => {
  const credentials = parseBasicCredentials(headerValue(event, 'Authorization'));
  const result = await issueTokens(deps, credentials);
  log.info('Token issued', { username: result.User.Username });
  return { statusCode: 200, result };
});
