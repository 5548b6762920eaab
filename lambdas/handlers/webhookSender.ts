/** The webhook delivery queue's consumer in AWS (lambdas/webhooks/senderHandler.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';
import { senderDependencies } from '../webhooks/senderDependencies';
import { makeWebhookSenderHandler } from '../webhooks/senderHandler';

const settings = readSettings(process.env, HANDLER_NEEDS.webhookSender);
export const handler = makeWebhookSenderHandler(senderDependencies(settings, { db: createDocumentClient(settings) }));
