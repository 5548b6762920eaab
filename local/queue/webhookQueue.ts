/**
 * The local stack's webhook delivery queue and its dead-letter queue: the emulated queues (messageQueue.ts) behind
 * the SQS endpoint the handlers call (queueServer.ts) and the event source that feeds the `webhookSender` function
 * (queuePoller.ts). As in lib/webhooks.ts, a message goes to the dead-letter queue after one receive more than the
 * back-off has steps, which is where the sender stops retrying (lambdas/webhooks/backoff.ts). With a data folder both
 * queues are kept in journals there (queueJournal.ts), so a stack restart loses no delivery. Differences from SQS:
 * local/README.md.
 */
import type { GatewayLog } from '../gateway/log';
import { MessageQueue } from './messageQueue';
import { journalOf } from './queueJournal';
import { queueEventSource, type QueueEventSource } from './queuePoller';
import { startQueueServer } from './queueServer';

export const WEBHOOK_QUEUE_NAME = 'remote-pop-webhooks';
export const WEBHOOK_DEAD_LETTER_QUEUE_NAME = 'remote-pop-webhooks-dead-letters';
/** The stream's on-failure destination (lib/eventPipeline.ts), served here as the pipeline's third queue. */
export const STREAM_FAILURE_QUEUE_NAME = 'remote-pop-stream-failures';

/** The `webhookSender` function's queue and event source, with its dead-letter queue and the stream's on-failure queue. */
export interface WebhookQueue extends QueueEventSource {
  /** What WEBHOOK_QUEUE_URL is set to. */
  readonly queueUrl: string;
  /** The dead-letter queue, for any SQS client (GetQueueAttributes, ReceiveMessage). */
  readonly deadLetterQueueUrl: string;
  /** The stream's on-failure queue, read by `events replay` (provisioning/eventCommands.ts). */
  readonly streamFailureQueueUrl: string;
  /** Put a given-up stream batch's message on the on-failure queue (local/streams/streamDispatcher.ts). */
  sendStreamFailure(body: string): void;
  counts(): { visible: number; notVisible: number; deadLetters: number };
  /**
   * Stops feeding the sender and waits for the invocations under way, so a stop of the stack (before its gateway
   * goes) leaves no message in flight for the visibility timeout of a consumer that died.
   */
  drain(): Promise<void>;
}

export interface WebhookQueueOptions {
  readonly region: string;
  readonly retrySeconds: readonly number[];
  readonly log: GatewayLog;
  readonly port?: number;
  /** Seconds of back-off per real second (MessageQueueOptions.timeScale). @default 1 */
  readonly timeScale?: number;
  /** Keep both queues in journals in this folder (created by the caller). In memory when absent. */
  readonly dataDir?: string;
}

export async function startWebhookQueue(options: WebhookQueueOptions): Promise<WebhookQueue> {
  const journal = (name: string) => journalOf(options.dataDir, name);
  const deadLetters = new MessageQueue({ maxReceiveCount: Infinity, ...journal(WEBHOOK_DEAD_LETTER_QUEUE_NAME) });
  const queue = new MessageQueue({
    maxReceiveCount: options.retrySeconds.length + 1,
    timeScale: options.timeScale ?? 1,
    deadLetterQueue: deadLetters,
    ...journal(WEBHOOK_QUEUE_NAME),
  });
  const streamFailures = new MessageQueue({ maxReceiveCount: Infinity, ...journal(STREAM_FAILURE_QUEUE_NAME) });
  const server = await startQueueServer(
    {
      [WEBHOOK_QUEUE_NAME]: queue,
      [WEBHOOK_DEAD_LETTER_QUEUE_NAME]: deadLetters,
      [STREAM_FAILURE_QUEUE_NAME]: streamFailures,
    },
    options.port !== undefined ? { port: options.port } : {},
  );
  const { region, log } = options;
  return {
    queueUrl: server.urls[WEBHOOK_QUEUE_NAME]!,
    deadLetterQueueUrl: server.urls[WEBHOOK_DEAD_LETTER_QUEUE_NAME]!,
    streamFailureQueueUrl: server.urls[STREAM_FAILURE_QUEUE_NAME]!,
    sendStreamFailure: (body) => void streamFailures.send(body),
    counts: () => queue.counts(),
    ...queueEventSource({ queue, queueName: WEBHOOK_QUEUE_NAME, region }, server, (message) => log.error(message)),
  };
}
