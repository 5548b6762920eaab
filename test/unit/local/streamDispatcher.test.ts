/**
 * The local stream's event source (local/streams/streamDispatcher.ts) gives a poison record up as Lambda's does
 * (lib/eventPipeline.ts): bounded retries, a failing batch bisected down to the record, the record's place sent to the
 * on-failure destination, a record past its maximum age given up at once; the records stay readable through the
 * Streams API (local/streams/streamsApi.ts) until the stream's 24 hours are over.
 */
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { failedBatchOf } from '../../../lambdas/events/streamReplay';
import { LOCAL_SHARD_ID, startStreamDispatcher } from '../../../local/streams/streamDispatcher';
import { answerStreams } from '../../../local/streams/streamsApi';

const change = (n: number) => ({
  keys: { PK: { S: `POP#${n}` }, SK: { S: 'POP' } },
  newImage: { PK: { S: `POP#${n}` }, SK: { S: 'POP' }, Status: { S: 'Sent' } },
});
const sequences = (records: DynamoDBRecord[]) => records.map((r) => Number(r.dynamodb!.SequenceNumber));
const poison = (records: DynamoDBRecord[], n: number) =>
  records.some((r) => (r.dynamodb!.Keys!.PK as { S: string }).S === `POP#${n}`);

function dispatcher(
  invoke: (records: DynamoDBRecord[]) => Promise<DynamoDBBatchResponse>,
  more: { retryAttempts?: number; maxRecordAgeSeconds?: number; now?: () => number } = {},
) {
  const failures: string[] = [];
  const stream = startStreamDispatcher({
    region: 'us-east-1',
    tableName: 't',
    invoke: ({ Records }) => invoke(Records),
    onFailure: (message) => failures.push(message),
    retryAttempts: 2,
    ...more,
  });
  return { stream, failures };
}

test('an invocation that always fails on one record: bisected down to it, retried, given up alone; the rest handled', async () => {
  const handled: number[] = [];
  const { stream, failures } = dispatcher(async (records) => {
    if (poison(records, 3)) throw new Error('poison');
    handled.push(...sequences(records));
    return { batchItemFailures: [] };
  });
  [1, 2, 3, 4, 5].forEach((n) => stream.push(change(n)));
  await stream.drained();
  stream.stop();
  expect(handled.sort()).toEqual([1, 2, 4, 5]);
  expect(failures).toHaveLength(1);
  const batch = failedBatchOf(failures[0]!)!;
  expect(batch).toMatchObject({ shardId: LOCAL_SHARD_ID, streamArn: stream.streamArn, batchSize: 1 });
  expect([Number(batch.startSequenceNumber), Number(batch.endSequenceNumber)]).toEqual([3, 3]);
});

test('a record reported failed is retried from itself, then given up with those after it in its batch', async () => {
  const calls: number[][] = [];
  const { stream, failures } = dispatcher(async (records) => {
    calls.push(sequences(records));
    const bad = records.find((r) => poison([r], 2));
    return { batchItemFailures: bad ? [{ itemIdentifier: bad.dynamodb!.SequenceNumber! }] : [] };
  });
  [1, 2, 3].forEach((n) => stream.push(change(n)));
  await stream.drained();
  stream.stop();
  // The first try and two retries of [2, 3], then the batch from the failed record goes to the destination.
  expect(calls.filter((call) => call[0] === 2)).toHaveLength(3);
  const batch = failedBatchOf(failures[0]!)!;
  expect([batch.startSequenceNumber, batch.endSequenceNumber].map(Number)).toEqual([2, 3]);
});

test('a record older than the maximum age is given up without an invocation', async () => {
  let now = Date.now();
  const invoked: number[] = [];
  const { stream, failures } = dispatcher(
    async (records) => {
      invoked.push(...sequences(records));
      return { batchItemFailures: [] };
    },
    { maxRecordAgeSeconds: 60, now: () => now },
  );
  stream.failInvocations(1);
  now += 0; // the first (failing) try is within the age...
  stream.push(change(1));
  now += 120_000; // ...the retry is not
  await stream.drained();
  stream.stop();
  expect(invoked).toEqual([]);
  expect(JSON.parse(failures[0]!).requestContext.condition).toBe('RecordAgeExceeded');
});

test('the Streams API reads the records back from a sequence number, and names those past the trim horizon', async () => {
  let now = Date.now();
  const { stream } = dispatcher(async () => ({ batchItemFailures: [] }), { now: () => now });
  [1, 2, 3].forEach((n) => stream.push(change(n)));
  await stream.drained();
  stream.stop();
  const iterator = (type: string, SequenceNumber?: string) =>
    answerStreams(stream, 'GetShardIterator', {
      StreamArn: stream.streamArn,
      ShardId: LOCAL_SHARD_ID,
      ShardIteratorType: type,
      ...(SequenceNumber ? { SequenceNumber } : {}),
    });
  const at = iterator('AT_SEQUENCE_NUMBER', '000000000000000000002');
  const page = answerStreams(stream, 'GetRecords', { ShardIterator: at.body.ShardIterator, Limit: 1 });
  expect(sequences(page.body.Records as DynamoDBRecord[])).toEqual([2]);
  const next = answerStreams(stream, 'GetRecords', { ShardIterator: page.body.NextShardIterator });
  expect(sequences(next.body.Records as DynamoDBRecord[])).toEqual([3]);
  // Another shard is not found; a day later the stream keeps none of the records.
  expect(answerStreams(stream, 'GetShardIterator', { StreamArn: stream.streamArn, ShardId: 'x' }).status).toBe(400);
  now += 25 * 3600 * 1000;
  expect(iterator('AT_SEQUENCE_NUMBER', '000000000000000000002').body.__type).toMatch(/TrimmedDataAccessException$/);
});

test('a REMOVE (a TTL deletion) stays in the stream but is filtered out: no invocation, as the deployed filter does', async () => {
  const invoked: number[] = [];
  const { stream } = dispatcher(async (records) => {
    invoked.push(...sequences(records));
    return { batchItemFailures: [] };
  });
  stream.push(change(1));
  stream.push({ keys: change(1).keys, oldImage: change(1).newImage } as never);
  stream.push(change(2));
  await stream.drained();
  stream.stop();
  expect(invoked).toEqual([1, 3]);
  expect(sequences(stream.read(1n, 10)!)).toEqual([1, 2, 3]);
});
