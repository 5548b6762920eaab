/**
 * Lambda's SQS event source for the webhook sender and the hold timer's function (lib/webhooks.ts, lib/heldPops.ts):
 * receives up to `batchSize` visible messages, invokes the function with an SQS-shaped event through the gateway's
 * runtime, deletes the messages it did not report (ReportBatchItemFailures) and leaves the reported ones in flight
 * until their visibility ends (the sender sets it to its back-off step). A failed invocation leaves the whole batch for
 * the queue's visibility timeout, as in AWS. At most `maxConcurrency` invocations at once.
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { MessageQueue, QueuedMessage } from './messageQueue';

export interface QueuePollerOptions {
  readonly queue: MessageQueue;
  readonly queueArn: string;
  readonly region: string;
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  readonly onError?: (message: string) => void;
  /** @default 10 */
  readonly batchSize?: number;
  /** @default 2 */
  readonly maxConcurrency?: number;
}

export interface QueuePoller {
  /** No more receives; resolves once the invocations under way have finished (their messages deleted or not). */
  stop(): Promise<void>;
}

/** Longest sleep between looks when nothing is visible; a send wakes the poller at once. */
const IDLE_MS = 1_000;

function sqsRecord(message: QueuedMessage, options: QueuePollerOptions): SQSRecord {
  return {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle!,
    body: message.body,
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount),
      SentTimestamp: String(message.sentAt),
      SenderId: 'AROAEXAMPLE:remote-pop-local',
      ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
    },
    messageAttributes: {},
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: options.region,
  };
}

export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { queue } = options;
  let stopped = false;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const idle: (() => void)[] = [];

  const invokeBatch = async (batch: QueuedMessage[]) => {
    try {
      // The handles of this receive: a message received again meanwhile has a new one, which this must not delete.
      const records = batch.map((m) => sqsRecord(m, options));
      const answer = (await options.invoke({ Records: records })) as SQSBatchResponse | undefined;
      const failed = new Set((answer?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
      for (const record of records) if (!failed.has(record.messageId)) queue.delete(record.receiptHandle);
    } catch (error) {
      options.onError?.(
        `webhook queue: the sender failed, the batch returns after its visibility timeout: ${(error as Error).message}`,
      );
    }
  };

  const poll = () => {
    if (stopped) return;
    clearTimeout(timer);
    while (inFlight < (options.maxConcurrency ?? 2)) {
      const batch = queue.receive(options.batchSize ?? 10);
      if (batch.length === 0) break;
      inFlight += 1;
      void invokeBatch(batch).finally(() => {
        inFlight -= 1;
        if (inFlight === 0) idle.splice(0).forEach((resolve) => resolve());
        poll();
      });
    }
    const wait = Math.max(10, Math.min(IDLE_MS, queue.nextVisibleAt() - Date.now()));
    timer = setTimeout(poll, wait);
  };

  const unsubscribe = queue.onSend(() => setImmediate(poll));
  poll();
  return {
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe();
      return inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}

/** One function's event source on a served queue, as the local stack's queues (webhookQueue.ts, holdQueue.ts) run it. */
export interface QueueEventSource {
  /** The function, once the gateway that runs it exists; messages wait until then. */
  attach(invoke: (event: SQSEvent) => Promise<unknown>): void;
  /** Stops feeding the function and waits for the invocations under way. */
  drain(): Promise<void>;
  /** Drains, then stops the queues' server. */
  stop(): Promise<void>;
}

export function queueEventSource(
  source: { readonly queue: MessageQueue; readonly queueName: string; readonly region: string },
  server: { stop(): Promise<void> },
  onError: (message: string) => void,
): QueueEventSource {
  let poller: QueuePoller | undefined;
  return {
    attach: (invoke) => {
      poller = startQueuePoller({
        queue: source.queue,
        queueArn: `arn:aws:sqs:${source.region}:000000000000:${source.queueName}`,
        region: source.region,
        invoke,
        onError,
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
