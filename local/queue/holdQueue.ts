/**
 * The local stack's hold timer queue (lib/heldPops.ts in AWS): an emulated queue (messageQueue.ts) behind its own SQS
 * endpoint (queueServer.ts), which POST /pop sends a held pop's timer to, and the event source that feeds the
 * `holdExpiry` function (queuePoller.ts; it looks for visible messages at least once a second, so a held pop is
 * Expired within about a second of its deadline). With a data folder the queue is kept in a journal there, so a stack
 * restart loses no timer. Differences from SQS: local/README.md.
 */
import * as path from 'node:path';
import type { SQSEvent } from 'aws-lambda';
import type { GatewayLog } from '../gateway/log';
import { HOLD_MAX_RECEIVES } from '../../lambdas/pops/holdQueueLimits';
import { MessageQueue } from './messageQueue';
import { openQueueJournal } from './queueJournal';
import { startQueuePoller, type QueuePoller } from './queuePoller';
import { startQueueServer } from './queueServer';

export const HOLD_QUEUE_NAME = 'remote-pop-hold-timers';
export const HOLD_DEAD_LETTER_QUEUE_NAME = 'remote-pop-hold-timers-dead-letters';

export interface HoldQueue {
  /** What HOLD_QUEUE_URL is set to. */
  readonly queueUrl: string;
  /** The `holdExpiry` function, once the gateway that runs it exists; messages wait until then. */
  attach(invoke: (event: SQSEvent) => Promise<unknown>): void;
  /** Stops feeding the function and waits for the invocations under way. */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

export interface HoldQueueOptions {
  readonly region: string;
  readonly log: GatewayLog;
  /** Keep the queues in journals in this folder (created by the caller). In memory when absent. */
  readonly dataDir?: string;
}

export async function startHoldQueue(options: HoldQueueOptions): Promise<HoldQueue> {
  const journal = (name: string) =>
    options.dataDir ? { journal: openQueueJournal(path.join(options.dataDir, `${name}.jsonl`)) } : {};
  const deadLetters = new MessageQueue({ maxReceiveCount: Infinity, ...journal(HOLD_DEAD_LETTER_QUEUE_NAME) });
  const queue = new MessageQueue({
    maxReceiveCount: HOLD_MAX_RECEIVES,
    deadLetterQueue: deadLetters,
    ...journal(HOLD_QUEUE_NAME),
  });
  const server = await startQueueServer({ [HOLD_QUEUE_NAME]: queue, [HOLD_DEAD_LETTER_QUEUE_NAME]: deadLetters });
  let poller: QueuePoller | undefined;
  return {
    queueUrl: server.urls[HOLD_QUEUE_NAME]!,
    attach: (invoke) => {
      poller = startQueuePoller({
        queue,
        queueArn: `arn:aws:sqs:${options.region}:000000000000:${HOLD_QUEUE_NAME}`,
        region: options.region,
        invoke,
        onError: (message) => options.log.error(message),
      });
    },
    drain: async () => {
      await poller?.stop();
    },
    stop: async () => {
      await poller?.stop();
      await server.stop();
    },
  };
}
