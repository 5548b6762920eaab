/**
 * The delivery queue's consumer (SQS event source, lib/webhooks.ts; locally local/queue/): each message is one signed
 * POST. A failure sets the message's visibility to the next back-off step (backoff.ts) and reports it
 * (ReportBatchItemFailures), so SQS hands it back then; after the last step the endpoint's state counts it and the
 * queue's redrive policy moves it to the dead-letter queue on its next receive. At-least-once: a receiver deduplicates
 * on `webhook-id`. At most MAX_PER_ENDPOINT requests to one endpoint at once per invocation.
 *
 * Each invocation keeps a deadline taken from its remaining time: a delivery is started only while one whole attempt
 * (DELIVERY_TIMEOUT_MS) and the batch's answer fit before it. One left unsent (a slow or hanging endpoint holding its
 * own lane) spent this receive, so it is put back like a failed attempt, to the next back-off step, and reported alone;
 * the invocation never times out, so no other endpoint's delivered message comes back or spends a receive, and the
 * schedule of every message holds (the dead-letter queue only after its last step).
 */
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { baseLogger } from '../shared/logger';
import { nextAttempt } from './backoff';
import { parseDeliveryMessage, type DeliveryMessage } from './deliveryMessage';
import { DELIVERY_TIMEOUT_MS, type AttemptResult } from './delivery';
import type { SecretBox } from './secretBox';
import { signedHeaders } from './signing';
import { secretsToSign } from './webhookSecrets';
import type { WebhookStore } from './webhookStore';
import type { QueueClient } from '../clients/queueClient';

export const MAX_PER_ENDPOINT = 4;
/** Kept after the last delivery may end: its store writes, the visibility changes and the batch's answer. */
export const REPORT_MARGIN_MS = 1_500;

export interface SenderDependencies {
  readonly webhooks: Pick<WebhookStore, 'get' | 'recordSuccess' | 'recordFailure'>;
  readonly queue: Pick<QueueClient, 'changeVisibility'>;
  /** Opens the sealed secrets, keeping the data keys for a while (secretBox.ts). */
  readonly box: Pick<SecretBox, 'open'>;
  readonly queueUrl: string;
  readonly retrySeconds: readonly number[];
  readonly post: (url: string, body: string, headers: Record<string, string>) => Promise<AttemptResult>;
  readonly now: () => number;
}

type Outcome = 'done' | 'retry';

/** Not attempted before the deadline: back to the queue at the next back-off step, as a failed attempt would be. */
async function postpone(deps: SenderDependencies, record: SQSRecord, message: DeliveryMessage): Promise<Outcome> {
  const attempt = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  const next = nextAttempt(deps.retrySeconds, attempt);
  await deps.queue.changeVisibility(deps.queueUrl, record.receiptHandle, next.kind === 'retry' ? next.afterSeconds : 0);
  baseLogger.warn('A webhook delivery was not attempted before the invocation deadline', {
    webhookId: message.webhookId,
    attempt,
    next: next.kind,
  });
  return 'retry';
}

async function deliver(deps: SenderDependencies, record: SQSRecord, message: DeliveryMessage): Promise<Outcome> {
  const webhook = await deps.webhooks.get(message.tenant, message.webhookId);
  if (!webhook) return 'done'; // deleted: nothing more is delivered to it
  const at = new Date(deps.now());
  const body = JSON.stringify(message.payload);
  const secrets = await secretsToSign(deps.box, webhook, at.getTime());
  const result = await deps.post(webhook.url, body, signedHeaders(message.messageId, at, body, secrets));
  if (result.ok) {
    await deps.webhooks.recordSuccess(message.tenant, message.webhookId, at.toISOString());
    return 'done';
  }
  const attempt = Number(record.attributes?.ApproximateReceiveCount ?? '1');
  const next = nextAttempt(deps.retrySeconds, attempt);
  await deps.webhooks.recordFailure(
    message.tenant,
    message.webhookId,
    at.toISOString(),
    result.error,
    next.kind === 'deadLetter',
  );
  // The last attempt: visible again at once, so the redrive policy (maxReceiveCount) moves it to the DLQ.
  await deps.queue.changeVisibility(deps.queueUrl, record.receiptHandle, next.kind === 'retry' ? next.afterSeconds : 0);
  baseLogger.warn('A webhook delivery failed', {
    webhookId: message.webhookId,
    attempt,
    error: result.error,
    next: next.kind,
  });
  return 'retry';
}

/** Run `work` over `items`, at most `limit` at once. */
async function bounded<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

export function makeWebhookSenderHandler(deps: SenderDependencies) {
  return async (event: SQSEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<SQSBatchResponse> => {
    const deadline = context ? deps.now() + context.getRemainingTimeInMillis() - REPORT_MARGIN_MS : Infinity;
    const inTime = () => deps.now() + DELIVERY_TIMEOUT_MS <= deadline;
    const failures: string[] = [];
    const byEndpoint = new Map<string, { record: SQSRecord; message: DeliveryMessage }[]>();
    for (const record of event.Records) {
      const message = parseDeliveryMessage(record.body);
      if (!message) {
        baseLogger.error('A malformed delivery message was dropped', { messageId: record.messageId });
        continue;
      }
      const key = `${message.tenant}\u0000${message.webhookId}`;
      byEndpoint.set(key, [...(byEndpoint.get(key) ?? []), { record, message }]);
    }
    await Promise.all(
      [...byEndpoint.values()].map((items) =>
        bounded(items, MAX_PER_ENDPOINT, async ({ record, message }) => {
          const attempt = inTime() ? deliver(deps, record, message) : postpone(deps, record, message);
          const outcome = await attempt.catch((error: Error) => {
            baseLogger.error('A delivery could not be handled; SQS retries it', { reason: error.message });
            return 'retry' as const;
          });
          if (outcome === 'retry') failures.push(record.messageId);
        }),
      ),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
