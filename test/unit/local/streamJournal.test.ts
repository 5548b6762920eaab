/**
 * The local stream's journal (local/streams/streamJournal.ts): records not yet handled by the stream function survive
 * a stack restart and are dispatched again, in order, with their sequence numbers; handled ones are not.
 */
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import { startStreamDispatcher } from '../../../local/streams/streamDispatcher';
import { openStreamJournal } from '../../../local/streams/streamJournal';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'stream-journal-'));
  file = path.join(dir, 'stream.jsonl');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const change = (n: number) => ({
  keys: { PK: { S: `POP#${n}` }, SK: { S: 'POP' } },
  newImage: { PK: { S: `POP#${n}` }, SK: { S: 'POP' }, Status: { S: 'Sent' } },
});
const sequences = (records: DynamoDBRecord[]) => records.map((r) => Number(r.dynamodb!.SequenceNumber));

function dispatcher(invoke: (records: DynamoDBRecord[]) => DynamoDBBatchResponse | Promise<never>) {
  return startStreamDispatcher({
    region: 'us-east-1',
    tableName: 't',
    journal: openStreamJournal(file),
    invoke: async ({ Records }) => invoke(Records),
  });
}

test('records the stream function never handled are dispatched again after a restart, then not again', async () => {
  // GIVEN a stream function that fails (the stack stops before it succeeds)
  const first = dispatcher(() => Promise.reject(new Error('down')));
  [1, 2, 3].forEach((n) => first.push(change(n)));
  first.stop();
  // WHEN the stack starts again over the same journal
  const seen: number[][] = [];
  const second = dispatcher((records) => {
    seen.push(sequences(records));
    return { batchItemFailures: [] };
  });
  second.resume();
  await second.drained();
  second.push(change(4));
  await second.drained();
  second.stop();
  // THEN the three records come again, in order, and a new one goes after them
  expect(seen.flat()).toEqual([1, 2, 3, 4]);
  // ...and a third start owes nothing
  const third = openStreamJournal(file);
  expect(third.pending).toEqual([]);
  expect(third.lastSequence).toBe(4);
});

test('a batch handled up to a reported failure keeps the failed record and those after it; a torn line is ignored', async () => {
  const failAt = 2;
  const first = dispatcher((records) => {
    const failed = records.find((r) => Number(r.dynamodb!.SequenceNumber) === failAt);
    return { batchItemFailures: failed ? [{ itemIdentifier: failed.dynamodb!.SequenceNumber! }] : [] };
  });
  [1, 2, 3].forEach((n) => first.push(change(n)));
  // The first attempt handles record 1 only; stop before the retry succeeds.
  await new Promise((resolve) => setTimeout(resolve, 20));
  first.stop();
  appendFileSync(file, '{"record":{"dynamodb":');
  const reopened = openStreamJournal(file);
  expect(sequences([...reopened.pending])).toEqual([2, 3]);
  expect(reopened.lastSequence).toBe(3);
});
