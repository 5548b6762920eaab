/** The Desktop route in AWS (lambdas/presence/desktopHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { presenceDependencies } from '../presence/connectionHandlers';
import { makeDesktopHandler } from '../presence/desktopHandlers';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsDesktop);
export const handler = makeDesktopHandler(presenceDependencies(settings, { db: createDocumentClient(settings) }));
