/**
 * A queued delivery (the SQS message body): which endpoint, the `webhook-id` (the same on every retry) and the body
 * to sign. The stream handler queues one per matching endpoint (enqueue.ts); the sender (senderHandler.ts) sends it.
 */
import type { PopEvent } from '../../contract/events';
import type { PopStatus } from '../../contract/statuses';
import type { WebhookPayload } from '../../contract/webhooks';

export interface DeliveryMessage {
  readonly tenant: string;
  readonly webhookId: string;
  readonly messageId: string;
  readonly payload: WebhookPayload;
}

/** Does an endpoint subscribed to `events` (empty: all) get this event? */
export const wants = (events: readonly PopStatus[], event: PopEvent): boolean =>
  events.length === 0 || events.includes(event.Status);

export function parseDeliveryMessage(body: string): DeliveryMessage | undefined {
  try {
    const value = JSON.parse(body) as Partial<DeliveryMessage>;
    const ok =
      typeof value.tenant === 'string' &&
      typeof value.webhookId === 'string' &&
      typeof value.messageId === 'string' &&
      typeof value.payload === 'object';
    return ok ? (value as DeliveryMessage) : undefined;
  } catch {
    return undefined;
  }
}
