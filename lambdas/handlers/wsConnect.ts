/** $connect in AWS (lambdas/presence/connectionHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makeConnectHandler, presenceDependencies } from '../presence/connectionHandlers';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsConnect);
export const handler = makeConnectHandler(presenceDependencies(settings, { db: createDocumentClient(settings) }));
