/** The Logout route in AWS (lambdas/presence/desktopHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { presenceDependencies } from '../presence/connectionHandlers';
import { makeLogoutHandler } from '../presence/desktopHandlers';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsLogout);
export const handler = makeLogoutHandler(presenceDependencies(settings, { db: createDocumentClient(settings) }));
