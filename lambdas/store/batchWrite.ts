/**
 * Writes and deletes in BatchWriteItem requests of 25 (DynamoDB's limit), a few batches at once, retrying what
 * DynamoDB leaves unprocessed: a throttled batch answers 200 with `UnprocessedItems`, and a store that ignored them
 * would silently leave presence or Desktop parts behind. The one batch loop of the stores.
 */
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** DynamoDB's most requests in one BatchWriteItem. */
const BATCH = 25;
/** Batches written at once: a Desktop of 5,000 agents is 400 batches, too slow one after another for a 10 s Lambda. */
const PARALLEL_BATCHES = 8;
/** Attempts per batch before it fails loudly (back-off 50 ms doubling, at most 1 s: about 3 s in all). */
const ATTEMPTS = 7;

export type WriteRequest = Record<string, unknown>;

export async function batchWrite(
  db: DynamoDBDocumentClient,
  tableName: string,
  requests: readonly WriteRequest[],
  pause: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  const batches: WriteRequest[][] = [];
  for (let start = 0; start < requests.length; start += BATCH) batches.push(requests.slice(start, start + BATCH));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < batches.length) await writeBatch(db, tableName, batches[next++], pause);
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_BATCHES, batches.length) }, worker));
}

async function writeBatch(
  db: DynamoDBDocumentClient,
  tableName: string,
  batch: WriteRequest[],
  pause: (ms: number) => Promise<void>,
): Promise<void> {
  let pending: WriteRequest[] | undefined = batch;
  for (let attempt = 0; pending && pending.length > 0; attempt++) {
    if (attempt >= ATTEMPTS) throw new Error('BatchWrite left unprocessed items after retries');
    if (attempt > 0) await pause(Math.min(1000, 25 * 2 ** attempt));
    const result = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending as never } }));
    pending = result.UnprocessedItems?.[tableName] as WriteRequest[] | undefined;
  }
}
