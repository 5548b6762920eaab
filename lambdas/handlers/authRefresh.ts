/** POST /auth/refresh in AWS (lambdas/auth/tokenHandlers.ts). */
import { createCognitoClient } from '../clients/cognitoClient';
import { makeAuthRefreshHandler, tokenDependencies } from '../auth/tokenHandlers';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.authRefresh);
export const handler = makeAuthRefreshHandler(tokenDependencies(settings, { cognito: createCognitoClient(settings) }));
