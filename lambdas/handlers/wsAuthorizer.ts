/**
 * The WebSocket $connect authorizer in AWS (lambdas/auth/instanceAuthorizer.ts); its verifier caches the pool's keys,
 * and it reads the table for revoked tokens (lambdas/auth/revocations.ts).
 */
import { instanceAuthorizerDependencies, makeInstanceAuthorizer } from '../auth/instanceAuthorizer';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsAuthorizer);
export const handler = makeInstanceAuthorizer(
  instanceAuthorizerDependencies(settings, { db: createDocumentClient(settings) }),
);
