/** The webhook handlers built from a configuration object (lambdas/handlerFactories.ts spreads these in). */
import type { HandlerConfig, AnyHandler } from '../handlerFactories';
import { webhookSealDependencies } from './sealDependencies';
import { senderDependencies } from './senderDependencies';
import { makeWebhookSenderHandler } from './senderHandler';
import {
  makeWebhookCreateHandler,
  makeWebhookDeleteHandler,
  makeWebhookGetHandler,
  makeWebhookListHandler,
  makeWebhookRotateHandler,
  makeWebhookTestHandler,
  webhookDependencies,
  webhookTestDependencies,
} from './webhookHandlers';

type WebhookHandlerName =
  'webhookCreate' | 'webhookList' | 'webhookGet' | 'webhookDelete' | 'webhookRotate' | 'webhookTest' | 'webhookSender';

export const WEBHOOK_FACTORIES: { readonly [N in WebhookHandlerName]: (config: HandlerConfig) => AnyHandler } = {
  webhookCreate: ({ settings, clients }) => makeWebhookCreateHandler(webhookSealDependencies(settings, clients)),
  webhookList: ({ settings, clients }) => makeWebhookListHandler(webhookDependencies(settings, clients)),
  webhookGet: ({ settings, clients }) => makeWebhookGetHandler(webhookDependencies(settings, clients)),
  webhookDelete: ({ settings, clients }) => makeWebhookDeleteHandler(webhookDependencies(settings, clients)),
  webhookRotate: ({ settings, clients }) => makeWebhookRotateHandler(webhookSealDependencies(settings, clients)),
  webhookTest: ({ settings, clients }) => makeWebhookTestHandler(webhookTestDependencies(settings, clients)),
  webhookSender: ({ settings, clients }) => makeWebhookSenderHandler(senderDependencies(settings, clients)),
};
