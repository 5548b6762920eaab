/** The Login route in AWS (lambdas/presence/desktopHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { presenceDependencies } from '../presence/connectionHandlers';
import { makeLoginHandler } from '../presence/desktopHandlers';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsLogin);
export const handler = makeLoginHandler(presenceDependencies(settings, { db: createDocumentClient(settings) }));
