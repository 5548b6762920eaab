/**
 * The event feed (lambdas/events/eventLog.ts) against dynalite: paging from any cursor sees every event
 * exactly once, in one order, while many writers append, retried writers repeat themselves, some writers die after
 * taking a number, and readers close gaps as soon as they may (settle window 0, the hardest case for the fencing).
 * Then the local stream emulation (local/streams/) end to end: pop writes through the proxy become events; the
 * concurrent stream consumer keeps the same guarantees and each pop's order; a record given up is replayed once.
 */
import fc from 'fast-check';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { marshall } from '@aws-sdk/util-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { appendEvent, readEvents } from '../../../lambdas/events/eventLog';
import { EventStore, type StoredEvent } from '../../../lambdas/events/eventStore';
import { makePopStreamHandler } from '../../../lambdas/events/streamHandler';
import { failedBatchOf, replayFailedBatch } from '../../../lambdas/events/streamReplay';
import { streamRecordsOf } from '../../../provisioning/streamRecords';
import { PopStore } from '../../../lambdas/pops/popStore';
import { startTableStream } from '../../../local/streams/tableStream';
import { startTestTable, type TestTable } from '../support/dynamoTable';

jest.setTimeout(120_000);

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table?.stop());

const EXPIRES = Math.floor(Date.now() / 1000) + 3600;
const clock = { now: () => Date.now() };
const draft = (tenant: string, n: number): StoredEvent => ({
  Tenant: tenant,
  EventId: `pop-${n}.Sent`,
  Type: 'pop.status',
  PopId: `pop-${n}`,
  Status: 'Sent',
  Username: 'agent1',
  Campaign: 'Sales',
  OccurredAt: new Date(0).toISOString(),
});

/** Pages from `cursor` until a page brings nothing new; returns the event ids seen and the last cursor. */
async function drain(
  store: EventStore,
  tenant: string,
  cursor: string,
  settleMs: number,
): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = [];
  for (;;) {
    const page = await readEvents(store, tenant, Number(cursor), { limit: 7, settleMs }, clock);
    ids.push(...page.Events.map((e) => e.EventId));
    if (page.Events.length === 0 && page.Cursor === cursor) return { ids, cursor };
    cursor = page.Cursor;
  }
}

describe('the event feed under concurrent writers', () => {
  let round = 0;
  it('pages every event exactly once: no gap, no duplicate, retries and dead writers included', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.nat(29), { maxLength: 10 }),
        fc.integer({ min: 0, max: 4 }),
        async (count, retried, dead) => {
          const tenant = `t${round++}`;
          const store = new EventStore(table.db, table.tableName);
          // Dead writers: a number taken from the counter, never filled.
          const deaths = Array.from({ length: dead }, () => store.allocate(tenant));
          const writers = [...Array.from({ length: count }, (_, n) => n), ...retried.filter((n) => n < count)].map(
            (n) => appendEvent(store, draft(tenant, n), EXPIRES, clock),
          );
          // A reader racing the writers, closing every gap it meets at once.
          let seen: string[] = [];
          let cursor = '0';
          const reader = (async () => {
            for (let i = 0; i < 5; i++) {
              const drained = await drain(store, tenant, cursor, 0);
              seen = seen.concat(drained.ids);
              cursor = drained.cursor;
            }
          })();
          await Promise.all([...deaths, ...writers, reader]);
          seen = seen.concat((await drain(store, tenant, cursor, 0)).ids);
          const expected = Array.from({ length: count }, (_, n) => `pop-${n}.Sent`);
          expect([...seen].sort()).toEqual([...expected].sort());
          // A second caller replaying from the start sees the same events in the same order.
          expect((await drain(store, tenant, '0', 0)).ids).toEqual(seen);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('waits at a gap younger than the settle window, and passes it once closed', async () => {
    const store = new EventStore(table.db, table.tableName);
    const tenant = 'settle';
    await appendEvent(store, draft(tenant, 1), EXPIRES, clock);
    await store.allocate(tenant); // a writer between taking its number and filling the slot
    await appendEvent(store, draft(tenant, 3), EXPIRES, clock);
    const first = await readEvents(store, tenant, 0, { limit: 10, settleMs: 60_000 }, clock);
    expect(first.Events.map((e) => e.EventId)).toEqual(['pop-1.Sent']);
    expect(first.Cursor).toBe('1');
    const later = await readEvents(
      store,
      tenant,
      1,
      { limit: 10, settleMs: 60_000 },
      { now: () => Date.now() + 61_000 },
    );
    expect(later.Events.map((e) => e.EventId)).toEqual(['pop-3.Sent']);
    expect(later.Cursor).toBe('3');
  });

  it('keeps tenants apart', async () => {
    const store = new EventStore(table.db, table.tableName);
    await appendEvent(store, draft('tenant-a', 1), EXPIRES, clock);
    await appendEvent(store, draft('tenant-b', 2), EXPIRES, clock);
    expect((await drain(store, 'tenant-a', '0', 0)).ids).toEqual(['pop-1.Sent']);
    expect((await drain(store, 'tenant-b', '0', 0)).ids).toEqual(['pop-2.Sent']);
  });
});

describe('the local stream emulation (local/streams/)', () => {
  it('turns each status change written through the proxy into one event, in order, and nothing else into one', async () => {
    const endpoint = (await table.raw.config.endpoint!()) as { hostname: string; port?: number };
    const stream = await startTableStream({
      dynamoDbEndpoint: `http://${endpoint.hostname}:${endpoint.port}`,
      region: 'us-east-1',
      tableName: table.tableName,
      log: { info: () => undefined, error: () => undefined },
    });
    const events = new EventStore(table.db, table.tableName);
    stream.attach(makePopStreamHandler({ events, clock, retentionMs: 3_600_000 }) as never);
    const viaProxy = DynamoDBDocumentClient.from(
      new DynamoDBClient({
        endpoint: stream.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'l', secretAccessKey: 'l' },
      }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    try {
      const pops = new PopStore(viaProxy, table.tableName);
      const now = new Date().toISOString();
      const pop = {
        tenant: 'streamed',
        PopId: 'p1',
        Username: 'agent1',
        Campaign: 'Sales',
        Status: 'Sent' as const,
        CreatedAt: now,
        UpdatedAt: now,
        sentTo: ['c1'],
      };
      await pops.putPop(pop, 3_600_000);
      await pops.recordDelivery('streamed', 'p1', { sentTo: ['c1'], sentToInstances: ['i1'] });
      const read = (await pops.getPop('streamed', 'p1'))!;
      const delivered = await pops.saveTransition(read, { status: 'Delivered' });
      await pops.saveTransition(delivered!, { status: 'Opened' });
      await stream.drained();
      const page = await readEvents(events, 'streamed', 0, { limit: 10, settleMs: 0 }, clock);
      expect(page.Events.map((e) => [e.Status, e.Cursor])).toEqual([
        ['Sent', '1'],
        ['Delivered', '2'],
        ['Opened', '3'],
      ]);
      expect(page.Events[0]).toMatchObject({ PopId: 'p1', Username: 'agent1', Campaign: 'Sales', Type: 'pop.status' });
    } finally {
      viaProxy.destroy();
      await stream.stop();
    }
  });
});

describe('the concurrent stream consumer (lambdas/events/streamHandler.ts)', () => {
  const STATUSES = ['Sent', 'Delivered', 'Opened'] as const;
  /** One stream record of pop `n` of `tenant` taking status `step`, as Lambda hands it over. */
  const record = (tenant: string, n: number, step: number, sequence: number): DynamoDBRecord => {
    const keys = { PK: `POP#${tenant}#${n}`, SK: 'POP' };
    const popImage = (status: string) => ({
      ...keys,
      Type: 'Pop',
      Tenant: tenant,
      PopId: `p${n}`,
      Status: status,
      Username: 'agent1',
      Campaign: 'Sales',
      UpdatedAt: new Date(sequence).toISOString(),
      ExpiresAt: EXPIRES,
    });
    return {
      eventName: step === 0 ? 'INSERT' : 'MODIFY',
      dynamodb: {
        Keys: marshall(keys) as never,
        NewImage: marshall(popImage(STATUSES[step]!)) as never,
        ...(step > 0 ? { OldImage: marshall(popImage(STATUSES[step - 1]!)) as never } : {}),
        SequenceNumber: String(sequence).padStart(21, '0'),
      },
    };
  };

  let round = 0;
  it('keeps the feed whole and each pop in order: batches of interleaved pops, concurrent groups, retried prefixes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 20 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.infiniteStream(fc.nat(11)),
        async (steps, concurrency, batchSize, retried, picks) => {
          const tenant = `c${round++}`;
          // The stream: each pop's records in order, pops interleaved as the picks say.
          const next = steps.map(() => 0);
          const records: DynamoDBRecord[] = [];
          const pick = picks[Symbol.iterator]();
          while (records.length < steps.reduce((a, b) => a + b, 0)) {
            let n = pick.next().value! % steps.length;
            while (next[n]! >= steps[n]!) n = (n + 1) % steps.length;
            records.push(record(tenant, n, next[n]!++, records.length + 1));
          }
          const store = new EventStore(table.db, table.tableName);
          const handler = makePopStreamHandler({ events: store, clock, retentionMs: 3_600_000, concurrency });
          const batches: DynamoDBRecord[][] = [];
          for (let i = 0; i < records.length; i += batchSize) batches.push(records.slice(i, i + batchSize));
          // Some batches delivered twice (a retry after a partial failure or a timeout), a reader racing them.
          const seen: string[] = [];
          let cursor = '0';
          const reader = (async () => {
            for (let i = 0; i < 3; i++) {
              const drained = await drain(store, tenant, cursor, 0);
              seen.push(...drained.ids);
              cursor = drained.cursor;
            }
          })();
          for (const [index, batch] of batches.entries()) {
            await handler({ Records: batch });
            if (retried.includes(index)) await handler({ Records: batch });
          }
          await reader;
          seen.push(...(await drain(store, tenant, cursor, 0)).ids);
          const expected = steps.flatMap((count, n) => STATUSES.slice(0, count).map((status) => `p${n}.${status}`));
          expect([...seen].sort()).toEqual([...expected].sort());
          // Each pop's events in the order of its statuses.
          for (const [n, count] of steps.entries()) {
            const mine = seen.filter((id) => id.startsWith(`p${n}.`));
            expect(mine).toEqual(STATUSES.slice(0, count).map((status) => `p${n}.${status}`));
          }
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('a poison record given up and replayed (lambdas/events/streamReplay.ts, local/streams/)', () => {
  it('is read back from the stream with the Streams SDK client and lands once, after the cursor a reader holds', async () => {
    const endpoint = (await table.raw.config.endpoint!()) as { hostname: string; port?: number };
    const failures: string[] = [];
    const stream = await startTableStream({
      dynamoDbEndpoint: `http://${endpoint.hostname}:${endpoint.port}`,
      region: 'us-east-1',
      tableName: table.tableName,
      log: { info: () => undefined, error: () => undefined },
      onFailure: (message) => failures.push(message),
      retryAttempts: 1,
    });
    const events = new EventStore(table.db, table.tableName);
    const handler = makePopStreamHandler({ events, clock, retentionMs: 3_600_000 });
    stream.attach(handler as never);
    const credentials = { accessKeyId: 'l', secretAccessKey: 'l' };
    const viaProxy = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: stream.endpoint, region: 'us-east-1', credentials }),
      { marshallOptions: { removeUndefinedValues: true } },
    );
    const streams = new DynamoDBStreamsClient({ endpoint: stream.endpoint, region: 'us-east-1', credentials });
    try {
      const pops = new PopStore(viaProxy, table.tableName);
      const now = new Date().toISOString();
      const pop = (PopId: string) => ({
        tenant: 'poisoned',
        PopId,
        Username: 'agent1',
        Campaign: 'Sales',
        Status: 'Sent' as const,
        CreatedAt: now,
        UpdatedAt: now,
        sentTo: ['c1'],
      });
      // GIVEN a record whose invocations fail past the retries (2 tries alone, one more when bisected from the
      // batch with the next): it goes to the destination, the next one is handled
      stream.failInvocations(3);
      await pops.putPop(pop('poison'), 3_600_000);
      await pops.putPop(pop('healthy'), 3_600_000);
      await stream.drained();
      expect(failures).toHaveLength(1);
      const before = await readEvents(events, 'poisoned', 0, { limit: 10, settleMs: 0 }, clock);
      expect(before.Events.map((e) => e.PopId)).toEqual(['healthy']);
      // WHEN it is replayed (twice: the second finds it appended and adds nothing)
      const batch = failedBatchOf(failures[0]!)!;
      for (let i = 0; i < 2; i++)
        expect(await replayFailedBatch(batch, streamRecordsOf(streams), handler)).toEqual({
          kind: 'replayed',
          records: 1,
        });
      // THEN the reader's cursor gets it once, and the feed from the start has both once
      const after = await readEvents(events, 'poisoned', Number(before.Cursor), { limit: 10, settleMs: 0 }, clock);
      expect(after.Events.map((e) => e.EventId)).toEqual(['poison.Sent']);
      const all = await readEvents(events, 'poisoned', 0, { limit: 10, settleMs: 0 }, clock);
      expect(all.Events.map((e) => e.EventId)).toEqual(['healthy.Sent', 'poison.Sent']);
    } finally {
      viaProxy.destroy();
      streams.destroy();
      await stream.stop();
    }
  });
});
