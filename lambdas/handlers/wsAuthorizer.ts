/** The WebSocket $connect authorizer in AWS (lambdas/auth/instanceAuthorizer.ts); its verifier caches the pool's keys. */
import { instanceAuthorizerDependencies, makeInstanceAuthorizer } from '../auth/instanceAuthorizer';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

export const handler = makeInstanceAuthorizer(
  instanceAuthorizerDependencies(readSettings(process.env, HANDLER_NEEDS.wsAuthorizer)),
);
