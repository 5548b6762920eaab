/** The webhook route of the same name in AWS (lambdas/webhooks/webhookHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';
import { makeWebhookTestHandler, webhookTestDependencies } from '../webhooks/webhookHandlers';

const settings = readSettings(process.env, HANDLER_NEEDS.webhookTest);
export const handler = makeWebhookTestHandler(
  webhookTestDependencies(settings, { db: createDocumentClient(settings) }),
);
