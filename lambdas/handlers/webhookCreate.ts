/** The webhook route of the same name in AWS (lambdas/webhooks/webhookHandlers.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';
import { webhookSealDependencies } from '../webhooks/sealDependencies';
import { makeWebhookCreateHandler } from '../webhooks/webhookHandlers';

const settings = readSettings(process.env, HANDLER_NEEDS.webhookCreate);
export const handler = makeWebhookCreateHandler(
  webhookSealDependencies(settings, { db: createDocumentClient(settings) }),
);
