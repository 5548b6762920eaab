/** GET /events in AWS (lambdas/events/eventsHandler.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { makeEventsHandler, eventsDependencies } from '../events/eventsHandler';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.events);
export const handler = makeEventsHandler(eventsDependencies(settings, { db: createDocumentClient(settings) }));
