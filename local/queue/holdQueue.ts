/**
 * The local stack's hold timer queue (lib/heldPops.ts in AWS): an emulated queue (messageQueue.ts) behind its own SQS
 * endpoint (queueServer.ts), which POST /pop sends a held pop's timer to, and the event source that feeds the
 * `holdExpiry` function (queuePoller.ts; it looks for visible messages at least once a second, so a held pop is
 * Expired within about a second of its deadline). With a data folder the queue is kept in a journal there, so a stack
 * restart loses no timer. Differences from SQS: local/README.md.
 */
import type { GatewayLog } from '../gateway/log';
import { HOLD_MAX_RECEIVES } from '../../lambdas/pops/holdQueueLimits';
import { MessageQueue } from './messageQueue';
import { journalOf } from './queueJournal';
import { queueEventSource, type QueueEventSource } from './queuePoller';
import { startQueueServer } from './queueServer';

export const HOLD_QUEUE_NAME = 'remote-pop-hold-timers';
export const HOLD_DEAD_LETTER_QUEUE_NAME = 'remote-pop-hold-timers-dead-letters';

/** The `holdExpiry` function's queue and event source. */
export interface HoldQueue extends QueueEventSource {
  /** What HOLD_QUEUE_URL is set to. */
  readonly queueUrl: string;
}

export interface HoldQueueOptions {
  readonly region: string;
  readonly log: GatewayLog;
  /** Keep the queues in journals in this folder (created by the caller). In memory when absent. */
  readonly dataDir?: string;
}

export async function startHoldQueue(options: HoldQueueOptions): Promise<HoldQueue> {
  const { dataDir, region, log } = options;
  const deadLetters = new MessageQueue({
    maxReceiveCount: Infinity,
    ...journalOf(dataDir, HOLD_DEAD_LETTER_QUEUE_NAME),
  });
  const queue = new MessageQueue({
    maxReceiveCount: HOLD_MAX_RECEIVES,
    deadLetterQueue: deadLetters,
    ...journalOf(dataDir, HOLD_QUEUE_NAME),
  });
  const server = await startQueueServer({ [HOLD_QUEUE_NAME]: queue, [HOLD_DEAD_LETTER_QUEUE_NAME]: deadLetters });
  return {
    queueUrl: server.urls[HOLD_QUEUE_NAME]!,
    ...queueEventSource({ queue, queueName: HOLD_QUEUE_NAME, region }, server, (message) => log.error(message)),
  };
}
