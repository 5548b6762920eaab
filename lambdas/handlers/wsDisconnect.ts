/** $disconnect in AWS (lambdas/presence/connectionHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makeDisconnectHandler, presenceDependencies } from '../presence/connectionHandlers';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsDisconnect);
export const handler = makeDisconnectHandler(presenceDependencies(settings, { db: createDocumentClient(settings) }));
