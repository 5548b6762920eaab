/**
 * The local stack's webhook delivery queue: the emulated queue (messageQueue.ts) behind the SQS endpoint the handlers
 * call (queueServer.ts) and the event source that feeds the `webhookSender` function (queuePoller.ts). As in
 * lib/webhooks.ts, a message goes to the dead-letter list after one receive more than the back-off has steps, which
 * is where the sender stops retrying (lambdas/webhooks/backoff.ts). Differences from SQS: local/README.md.
 */
import type { SQSEvent } from 'aws-lambda';
import type { GatewayLog } from '../gateway/log';
import { MessageQueue } from './messageQueue';
import { startQueuePoller, type QueuePoller } from './queuePoller';
import { startQueueServer } from './queueServer';

export const WEBHOOK_QUEUE_NAME = 'remote-pop-webhooks';

export interface WebhookQueue {
  /** What WEBHOOK_QUEUE_URL is set to. */
  readonly queueUrl: string;
  /** The sender function, once the gateway that runs it exists; messages wait until then. */
  attach(invoke: (event: SQSEvent) => Promise<unknown>): void;
  counts(): { visible: number; notVisible: number; deadLetters: number };
  stop(): Promise<void>;
}

export async function startWebhookQueue(options: {
  readonly region: string;
  readonly retrySeconds: readonly number[];
  readonly log: GatewayLog;
  readonly port?: number;
}): Promise<WebhookQueue> {
  const queue = new MessageQueue({ maxReceiveCount: options.retrySeconds.length + 1 });
  const server = await startQueueServer(queue, {
    name: WEBHOOK_QUEUE_NAME,
    ...(options.port !== undefined ? { port: options.port } : {}),
  });
  let poller: QueuePoller | undefined;
  return {
    queueUrl: server.queueUrl,
    attach: (invoke) => {
      poller = startQueuePoller({
        queue,
        queueArn: `arn:aws:sqs:${options.region}:000000000000:${WEBHOOK_QUEUE_NAME}`,
        region: options.region,
        invoke,
        onError: (message) => options.log.error(message),
      });
    },
    counts: () => queue.counts(),
    stop: async () => {
      poller?.stop();
      await server.stop();
    },
  };
}
