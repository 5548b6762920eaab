/**
 * After the stream handler appended an event (lambdas/events/streamHandler.ts): one queued delivery per endpoint of
 * the event's tenant that wants its status. Only that tenant's partition is read, so no event reaches another
 * tenant's endpoint. A retried stream record queues again: at-least-once, the same `webhook-id` (the EventId).
 */
import type { PopEvent } from '../../contract/events';
import type { QueueClient } from '../clients/queueClient';
import { wants, type DeliveryMessage } from './deliveryMessage';
import type { WebhookStore } from './webhookStore';

export interface Enqueuer {
  readonly webhooks: Pick<WebhookStore, 'list'>;
  readonly queue: Pick<QueueClient, 'sendBatch'>;
  readonly queueUrl: string;
}

export async function enqueueDeliveries(deps: Enqueuer, tenant: string, event: PopEvent): Promise<number> {
  const endpoints = (await deps.webhooks.list(tenant)).filter((webhook) => wants(webhook.events, event));
  if (endpoints.length === 0) return 0;
  const messages = endpoints.map((webhook, index) => {
    const message: DeliveryMessage = { tenant, webhookId: webhook.webhookId, messageId: event.EventId, payload: event };
    return { id: String(index), body: JSON.stringify(message) };
  });
  const { failed } = await deps.queue.sendBatch(deps.queueUrl, messages);
  if (failed.length > 0) throw new Error(`${failed.length} deliveries could not be queued`);
  return messages.length;
}
