/** GET /auth in AWS: configuration read once per container, one Cognito client (lambdas/auth/tokenHandlers.ts). */
import { createCognitoClient } from '../clients/cognitoClient';
import { makeAuthTokenHandler, tokenDependencies } from '../auth/tokenHandlers';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.authToken);
export const handler = makeAuthTokenHandler(tokenDependencies(settings, { cognito: createCognitoClient(settings) }));
