/**
 * Feeds the stream handler as Lambda's DynamoDB event source does (lib/functions.ts): records in the order the writes
 * took effect, in batches of up to 100, the batch retried from the record the handler reports (ReportBatchItemFailures)
 * or whole when the invocation fails, with back-off, never dropped. One shard for the whole table (AWS orders per item
 * only, so this order is stricter, never looser).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import type { ImageChange } from './dynamoStreamProxy';
import type { StreamJournal } from './streamJournal';

export interface StreamDispatcherOptions {
  readonly region: string;
  readonly tableName: string;
  /** The stream handler's invocation (through the gateway's runtime, so it runs in an execution environment). */
  readonly invoke: (event: { Records: DynamoDBRecord[] }) => Promise<unknown>;
  readonly onError?: (message: string) => void;
  /** @default 100 */
  readonly batchSize?: number;
  /** Keeps the records until handled (streamJournal.ts); in memory when absent. */
  readonly journal?: StreamJournal;
}

export interface StreamDispatcher {
  push(change: ImageChange): void;
  /** Dispatch the records a journal held from an earlier run (once the stream function can be invoked). */
  resume(): void;
  /** Resolves once every record pushed so far has been handled. */
  drained(): Promise<void>;
  stop(): void;
}

const MAX_BACKOFF_MS = 5_000;

/** A Streams-shaped record (NEW_AND_OLD_IMAGES), as Lambda's event source hands it over. */
function streamRecord(change: ImageChange, sequence: number, region: string, arn: string): DynamoDBRecord {
  return {
    eventID: randomUUID().replace(/-/g, ''),
    eventName: change.oldImage === undefined ? 'INSERT' : change.newImage === undefined ? 'REMOVE' : 'MODIFY',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: arn,
    dynamodb: {
      ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
      Keys: change.keys as never,
      ...(change.newImage ? { NewImage: change.newImage as never } : {}),
      ...(change.oldImage ? { OldImage: change.oldImage as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      SizeBytes: JSON.stringify(change).length,
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** How many records of the batch were handled: all, or those before the first reported failure. */
function handledOf(batch: DynamoDBRecord[], answer: unknown): number {
  const failures = (answer as DynamoDBBatchResponse | undefined)?.batchItemFailures ?? [];
  if (failures.length === 0) return batch.length;
  const first = batch.findIndex((r) => failures.some((f) => f.itemIdentifier === r.dynamodb?.SequenceNumber));
  return first < 0 ? 0 : first;
}

export function startStreamDispatcher(options: StreamDispatcherOptions): StreamDispatcher {
  const journal = options.journal;
  const queue: DynamoDBRecord[] = [...(journal?.pending ?? [])];
  const idle: (() => void)[] = [];
  let sequence = journal?.lastSequence ?? 0;
  let running = false;
  let stopped = false;
  const arn = `arn:aws:dynamodb:${options.region}:123456789012:table/${options.tableName}/stream/local`;

  const run = async () => {
    running = true;
    let backoff = 100;
    while (queue.length > 0 && !stopped) {
      const batch = queue.slice(0, options.batchSize ?? 100);
      let handled = 0;
      try {
        handled = handledOf(batch, await options.invoke({ Records: batch }));
      } catch (error) {
        options.onError?.(`stream: the handler failed, retrying the batch: ${(error as Error).message}`);
      }
      queue.splice(0, handled);
      if (handled > 0) journal?.handled(batch[handled - 1]!.dynamodb!.SequenceNumber!);
      if (handled === batch.length) backoff = 100;
      else await new Promise((resolve) => setTimeout(resolve, (backoff = Math.min(backoff * 2, MAX_BACKOFF_MS))));
    }
    running = false;
    if (queue.length === 0) idle.splice(0).forEach((resolve) => resolve());
  };

  return {
    push: (change) => {
      const record = streamRecord(change, ++sequence, options.region, arn);
      journal?.record(record);
      queue.push(record);
      if (!running && !stopped) void run();
    },
    resume: () => {
      if (queue.length > 0 && !running && !stopped) void run();
    },
    drained: () =>
      queue.length === 0 && !running ? Promise.resolve() : new Promise<void>((resolve) => idle.push(resolve)),
    stop: () => {
      stopped = true;
      idle.splice(0).forEach((resolve) => resolve());
    },
  };
}
