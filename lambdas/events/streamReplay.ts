/**
 * Replaying what the stream's event source gave up on (lib/eventPipeline.ts: bounded retries and record age, then the
 * on-failure queue). Lambda puts there no record, only where the batch was in the stream (`DDBStreamBatchInfo`: shard
 * and first and last sequence numbers), so the replay reads those records back from the stream, which keeps them 24
 * hours after their write, and hands them to the same handler as the event source did (streamHandler.ts). An event
 * already appended keeps its place (appending is idempotent per event id); one never appended takes a new place,
 * after every cursor handed out so far, so a reader that passed its time still gets it exactly once. Its webhook
 * deliveries are queued again with the same `webhook-id`. Past the 24 hours the records are gone: the replay says so.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';

/** Where a failed batch was: what an on-failure destination receives for a DynamoDB stream. */
export interface FailedBatch {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  readonly batchSize: number;
}

/** The failed batch an on-failure message names, or undefined when the message is not one. */
export function failedBatchOf(body: string): FailedBatch | undefined {
  let info: Record<string, unknown> | undefined;
  try {
    info = (JSON.parse(body) as { DDBStreamBatchInfo?: Record<string, unknown> }).DDBStreamBatchInfo;
  } catch {
    return undefined;
  }
  const text = (key: string) => (typeof info?.[key] === 'string' ? (info[key] as string) : undefined);
  const [streamArn, shardId, start, end] = ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber'].map(
    text,
  );
  if (!streamArn || !shardId || !start || !end || !/^\d+$/.test(start) || !/^\d+$/.test(end)) return undefined;
  const batchSize = typeof info?.batchSize === 'number' ? info.batchSize : 0;
  return { streamArn, shardId, startSequenceNumber: start, endSequenceNumber: end, batchSize };
}

/** Compares two stream sequence numbers (decimal strings of any length). */
export const compareSequence = (a: string, b: string): number => {
  const [x, y] = [BigInt(a), BigInt(b)];
  return x < y ? -1 : x > y ? 1 : 0;
};

/** Reads a shard's records from `from` on, page by page (the DynamoDB Streams API or the local emulation). */
export interface StreamRecords {
  /** The records of the failed batch's range; undefined when the stream no longer has them (older than 24 h). */
  read(batch: FailedBatch): Promise<DynamoDBRecord[] | undefined>;
}

export type ReplayOutcome =
  | { readonly kind: 'replayed'; readonly records: number }
  | { readonly kind: 'expired' }
  | { readonly kind: 'failed'; readonly sequenceNumber: string };

/** The event source's own filter (lib/eventPipeline.ts): pop items only. */
const isPopRecord = (record: DynamoDBRecord) => (record.dynamodb?.Keys?.SK as { S?: string } | undefined)?.S === 'POP';

type StreamHandler = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;

/** Replay one failed batch through `handler`, in batches of `batchSize` as the event source would. */
export async function replayFailedBatch(
  batch: FailedBatch,
  records: StreamRecords,
  handler: StreamHandler,
  batchSize = 100,
): Promise<ReplayOutcome> {
  const read = await records.read(batch);
  if (!read) return { kind: 'expired' };
  const pops = read.filter(isPopRecord);
  for (let i = 0; i < pops.length; i += batchSize) {
    const { batchItemFailures } = await handler({ Records: pops.slice(i, i + batchSize) });
    const first = batchItemFailures[0];
    if (first) return { kind: 'failed', sequenceNumber: first.itemIdentifier };
  }
  return { kind: 'replayed', records: pops.length };
}
