/**
 * The REST API's REQUEST authorizer in AWS (lambdas/auth/restAuthorizer.ts); its verifier caches the pool's keys, and
 * it reads the table for revoked tokens (lambdas/auth/revocations.ts).
 */
import { makeRestAuthorizer, restAuthorizerDependencies } from '../auth/restAuthorizer';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.restAuthorizer);
export const handler = makeRestAuthorizer(restAuthorizerDependencies(settings, { db: createDocumentClient(settings) }));
