/**
 * The stores' one BatchWriteItem loop (lambdas/store/batchWrite.ts): what DynamoDB leaves unprocessed (a throttled
 * batch answers 200 with `UnprocessedItems`; no emulator produces it, so a fake client does) is written again, and the
 * Desktop parts' clean-up uses it (it once sent each batch once and dropped what came back unprocessed).
 */
import { BatchWriteCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { batchWrite } from '../../../lambdas/store/batchWrite';
import { DesktopPartStore } from '../../../lambdas/presence/desktopPartStore';

type Request = { DeleteRequest: { Key: { PK: string; SK: string } } };

/** A client whose BatchWriteItem processes only the first `perCall` requests of each call, and answers Queries with `items`. */
function throttlingClient(perCall: number, items: Record<string, string>[] = []) {
  const written: string[] = [];
  let calls = 0;
  const send = async (command: unknown) => {
    if (command instanceof QueryCommand) return { Items: items };
    if (!(command instanceof BatchWriteCommand)) throw new Error('unexpected command');
    calls += 1;
    const [[table, requests]] = Object.entries(command.input.RequestItems!) as [string, Request[]][];
    written.push(...requests.slice(0, perCall).map((r) => r.DeleteRequest.Key.SK));
    const left = requests.slice(perCall);
    return { UnprocessedItems: left.length > 0 ? { [table]: left } : {} };
  };
  return { db: { send } as unknown as DynamoDBDocumentClient, written, calls: () => calls };
}

const deletes = (n: number): Request[] =>
  Array.from({ length: n }, (_, i) => ({ DeleteRequest: { Key: { PK: 'P', SK: `S${i}` } } }));

describe('batchWrite', () => {
  it('writes every request, in batches of at most 25, retrying what comes back unprocessed', async () => {
    const client = throttlingClient(10);
    await batchWrite(client.db, 't', deletes(60), async () => {});
    expect(client.written.sort()).toEqual(
      deletes(60)
        .map((r) => r.DeleteRequest.Key.SK)
        .sort(),
    );
    expect(client.calls()).toBe(3 + 3 + 1); // 25 -> 3 calls, 25 -> 3, 10 -> 1
  });

  it('fails loudly when DynamoDB keeps leaving items unprocessed', async () => {
    const client = throttlingClient(0);
    await expect(batchWrite(client.db, 't', deletes(3), async () => {})).rejects.toThrow(/unprocessed/);
  });

  it("removes every part of a Desktop list even when DynamoDB throttles the clean-up's batches", async () => {
    const parts = Array.from({ length: 40 }, (_, i) => ({ PK: 'CONN#c1', SK: `PART#1#${i}` }));
    const client = throttlingClient(5, parts);
    await new DesktopPartStore(client.db, 't').removeParts('c1', 1);
    expect(client.written.sort()).toEqual(parts.map((p) => p.SK).sort());
  });
});
