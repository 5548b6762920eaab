/**
 * Feeds the stream handler as Lambda's DynamoDB event source does (lib/eventPipeline.ts, lib/streamMapping.ts): records
 * in the order the writes took effect, in batches of up to 100, the batch retried from the record the handler reports
 * (ReportBatchItemFailures) or whole when the invocation fails, halved on each such failure (bisecting, not counted
 * as a retry), with back-off. A batch still failing after STREAM_RETRY_ATTEMPTS retries, or whose first record is older than
 * STREAM_MAX_RECORD_AGE_SECONDS, is given up: its place in the stream (`DDBStreamBatchInfo`) goes to the on-failure
 * destination, as Lambda sends it, and the records stay readable through the Streams API (streamsApi.ts) for the
 * stream's 24 hours, so `events replay` can read them back. One shard for the whole table (AWS orders per item only,
 * so this order is stricter, never looser).
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  STREAM_BATCH_SIZE,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_RETENTION_SECONDS,
  STREAM_RETRY_ATTEMPTS,
} from '../../lib/streamMapping';
import type { ImageChange } from './dynamoStreamProxy';
import type { StreamJournal } from './streamJournal';

export const LOCAL_SHARD_ID = 'shardId-00000000000000000000-local';

export interface StreamDispatcherOptions {
  readonly region: string;
  readonly tableName: string;
  /** The stream handler's invocation (through the gateway's runtime, so it runs in an execution environment). */
  readonly invoke: (event: { Records: DynamoDBRecord[] }) => Promise<unknown>;
  readonly onError?: (message: string) => void;
  /** The on-failure destination: receives the message Lambda would send for a batch it gave up. */
  readonly onFailure?: (message: string) => void;
  /** @default STREAM_BATCH_SIZE */
  readonly batchSize?: number;
  /** @default STREAM_RETRY_ATTEMPTS */
  readonly retryAttempts?: number;
  /** @default STREAM_MAX_RECORD_AGE_SECONDS */
  readonly maxRecordAgeSeconds?: number;
  /** Keeps the records until handled (streamJournal.ts); in memory when absent. */
  readonly journal?: StreamJournal;
  readonly now?: () => number;
}

export interface StreamDispatcher {
  readonly streamArn: string;
  push(change: ImageChange): void;
  /** Dispatch the records a journal held from an earlier run (once the stream function can be invoked). */
  resume(): void;
  /** Resolves once every record pushed so far has been handled or given up. */
  drained(): Promise<void>;
  /** The stream's records from `sequenceNumber` on (at most `limit`), as GetRecords reads them; undefined: trimmed. */
  read(sequenceNumber: bigint, limit: number): DynamoDBRecord[] | undefined;
  /** The sequence number the next record will get. */
  nextSequence(): bigint;
  /** A fault hook: the next `count` invocations fail as a crashed function would (local/stack.ts). */
  failInvocations(count: number): void;
  stop(): void;
}

const MAX_BACKOFF_MS = 2_000;
/** The records kept for the Streams API at most (besides their 24 hours), so a long run stays bounded in memory. */
const MAX_RETAINED = 100_000;

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

const sequenceOf = (record: DynamoDBRecord) => record.dynamodb!.SequenceNumber!;
const createdAt = (record: DynamoDBRecord) => (record.dynamodb?.ApproximateCreationDateTime ?? 0) * 1000;

/** How many records of the batch were handled: all, or those before the first reported failure. */
function handledOf(batch: DynamoDBRecord[], answer: unknown): number {
  const failures = (answer as DynamoDBBatchResponse | undefined)?.batchItemFailures ?? [];
  if (failures.length === 0) return batch.length;
  const first = batch.findIndex((r) => failures.some((f) => f.itemIdentifier === r.dynamodb?.SequenceNumber));
  return first < 0 ? 0 : first;
}

/** What Lambda sends an on-failure destination for a DynamoDB stream batch it gave up (no record, only its place). */
export function failureMessage(batch: readonly DynamoDBRecord[], arn: string, reason: string, attempts: number) {
  const arrival = (record: DynamoDBRecord) => new Date(createdAt(record)).toISOString();
  return JSON.stringify({
    requestContext: { condition: reason, approximateInvokeCount: attempts + 1 },
    timestamp: new Date().toISOString(),
    DDBStreamBatchInfo: {
      shardId: LOCAL_SHARD_ID,
      startSequenceNumber: sequenceOf(batch[0]!),
      endSequenceNumber: sequenceOf(batch[batch.length - 1]!),
      approximateArrivalOfFirstRecord: arrival(batch[0]!),
      approximateArrivalOfLastRecord: arrival(batch[batch.length - 1]!),
      batchSize: batch.length,
      streamArn: arn,
    },
  });
}

export function startStreamDispatcher(options: StreamDispatcherOptions): StreamDispatcher {
  const journal = options.journal;
  const arn = `arn:aws:dynamodb:${options.region}:123456789012:table/${options.tableName}/stream/local`;
  const state = {
    queue: [...(journal?.pending ?? [])],
    retained: [...(journal?.pending ?? [])],
    idle: [] as (() => void)[],
    sequence: journal?.lastSequence ?? 0,
    running: false,
    stopped: false,
    failing: 0,
  };
  const run = runner(options, state, arn);
  return {
    streamArn: arn,
    push: (change) => {
      const record = streamRecord(change, ++state.sequence, options.region, arn);
      state.retained.push(record);
      if (state.retained.length > MAX_RETAINED) state.retained.shift();
      // The event source's filter (lib/eventPipeline.ts): a REMOVE (a TTL deletion) is in the stream, never handed over.
      if (record.eventName === 'REMOVE') return;
      journal?.record(record);
      state.queue.push(record);
      if (!state.running && !state.stopped) void run();
    },
    resume: () => {
      if (state.queue.length > 0 && !state.running && !state.stopped) void run();
    },
    drained: () =>
      state.queue.length === 0 && !state.running
        ? Promise.resolve()
        : new Promise<void>((resolve) => state.idle.push(resolve)),
    read: (from, limit) =>
      readRetained(state.retained, { from, limit, next: BigInt(state.sequence + 1), now: (options.now ?? Date.now)() }),
    nextSequence: () => BigInt(state.sequence + 1),
    failInvocations: (count) => {
      state.failing = count;
    },
    stop: () => {
      state.stopped = true;
      state.idle.splice(0).forEach((resolve) => resolve());
    },
  };
}

/** The retained records from `from` on; undefined when `from` is older than what the stream still keeps. */
function readRetained(
  retained: DynamoDBRecord[],
  read: { readonly from: bigint; readonly limit: number; readonly next: bigint; readonly now: number },
) {
  while (retained.length > 0 && createdAt(retained[0]!) < read.now - STREAM_RETENTION_SECONDS * 1000) retained.shift();
  const oldest = retained[0] ? BigInt(sequenceOf(retained[0])) : read.next;
  if (read.from < oldest) return undefined;
  return retained.filter((record) => BigInt(sequenceOf(record)) >= read.from).slice(0, read.limit);
}

type DispatchState = {
  queue: DynamoDBRecord[];
  idle: (() => void)[];
  running: boolean;
  stopped: boolean;
  failing: number;
};

/** The loop that invokes the handler while records wait: retries, bisecting, giving up (module comment). */
function runner(options: StreamDispatcherOptions, state: DispatchState, arn: string) {
  const batchSize = options.batchSize ?? STREAM_BATCH_SIZE;
  const retryAttempts = options.retryAttempts ?? STREAM_RETRY_ATTEMPTS;
  const maxAgeMs = (options.maxRecordAgeSeconds ?? STREAM_MAX_RECORD_AGE_SECONDS) * 1000;
  const now = options.now ?? Date.now;
  const giveUp = (batch: DynamoDBRecord[], reason: string, attempts: number) => {
    state.queue.splice(0, batch.length);
    options.journal?.handled(sequenceOf(batch[batch.length - 1]!));
    options.onError?.(
      `stream: a batch of ${batch.length} records was given up (${reason}): events replay reads it back`,
    );
    options.onFailure?.(failureMessage(batch, arn, reason, attempts));
  };
  return async () => {
    state.running = true;
    let backoff = 100;
    let limit = batchSize;
    let attempts = 0;
    while (state.queue.length > 0 && !state.stopped) {
      const batch = state.queue.slice(0, limit);
      if (now() - createdAt(batch[0]!) > maxAgeMs) {
        giveUp(batch, 'RecordAgeExceeded', attempts);
        attempts = 0;
        continue;
      }
      const { handled, crashed } = await invokeOnce(options, state, batch);
      state.queue.splice(0, handled);
      if (handled > 0) options.journal?.handled(sequenceOf(batch[handled - 1]!));
      if (handled === batch.length) {
        [backoff, limit, attempts] = [100, batchSize, 0];
        continue;
      }
      if (handled > 0) attempts = 0;
      // Bisecting: a batch that failed whole is halved, and the halving is not counted as a retry, so the retries are
      // spent on the record that fails once it is alone.
      if (crashed && batch.length > 1) limit = Math.ceil(batch.length / 2);
      else if (++attempts > retryAttempts) {
        giveUp(batch.slice(handled), 'RetryAttemptsExhausted', attempts - 1);
        [backoff, limit, attempts] = [100, batchSize, 0];
        continue;
      }
      await new Promise((resolve) => setTimeout(resolve, (backoff = Math.min(backoff * 2, MAX_BACKOFF_MS))));
    }
    state.running = false;
    if (state.queue.length === 0) state.idle.splice(0).forEach((resolve) => resolve());
  };
}

async function invokeOnce(options: StreamDispatcherOptions, state: DispatchState, batch: DynamoDBRecord[]) {
  try {
    if (state.failing > 0) {
      state.failing--;
      throw new Error('the function failed (fault hook)');
    }
    return { handled: handledOf(batch, await options.invoke({ Records: batch })), crashed: false };
  } catch (error) {
    options.onError?.(`stream: the handler failed, retrying the batch: ${(error as Error).message}`);
    return { handled: 0, crashed: true };
  }
}
