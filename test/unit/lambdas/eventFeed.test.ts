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
import { DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { appendEvent, readEvents } from '../../../lambdas/events/eventLog';
import { EventStore, type StoredEvent } from '../../../lambdas/events/eventStore';
import {
  EVENT_FEED_SHARDS,
  FEED_START,
  formatCursor,
  parseCursor,
  shardOf,
  type Partition,
} from '../../../lambdas/events/feedPartitions';
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
const draft = (tenant: string, n: number, status: 'Sent' | 'Delivered' = 'Sent'): StoredEvent => ({
  Tenant: tenant,
  EventId: `pop-${n}.${status}`,
  Type: 'pop.status',
  PopId: `pop-${n}`,
  Status: status,
  Username: 'agent1',
  Campaign: 'Sales',
  OccurredAt: new Date(0).toISOString(),
});

/** The first `count` pop numbers n whose `pop-<n>` has its events in `shard`. */
function popsOfShard(shard: number, count: number): number[] {
  const found: number[] = [];
  for (let n = 0; found.length < count; n++) if (shardOf(`pop-${n}`) === shard) found.push(n);
  return found;
}

/** Pages from `cursor` until a page brings nothing new; returns the event ids seen and the last cursor. */
async function drain(
  store: EventStore,
  tenant: string,
  cursor: string,
  settleMs: number,
): Promise<{ ids: string[]; cursor: string }> {
  const ids: string[] = [];
  for (;;) {
    const page = await readEvents(store, tenant, parseCursor(cursor)!, { limit: 7, settleMs }, clock);
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
          // Dead writers: a number taken from a shard's counter, never filled.
          const deaths = Array.from({ length: dead }, (_, i) => store.allocate(tenant, i % EVENT_FEED_SHARDS));
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
          // A second caller replaying from the start sees the same events in the same order in each shard (the
          // shards' events may interleave differently: the feed orders each pop, and a pop is in one shard).
          const again = (await drain(store, tenant, '0', 0)).ids;
          expect([...again].sort()).toEqual([...seen].sort());
          const inShard = (ids: string[], shard: number) => ids.filter((id) => shardOf(id.split('.')[0]!) === shard);
          for (let shard = 0; shard < EVENT_FEED_SHARDS; shard++)
            expect(inShard(again, shard)).toEqual(inShard(seen, shard));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('waits at a gap younger than the settle window, and passes it once closed', async () => {
    const store = new EventStore(table.db, table.tableName);
    const tenant = 'settle';
    // Three pops of one shard: a gap waited for holds back what comes after it in that shard.
    const [a, b, c] = popsOfShard(0, 3);
    await appendEvent(store, draft(tenant, a!), EXPIRES, clock);
    await store.allocate(tenant, 0); // a writer between taking its number and filling the slot
    await appendEvent(store, draft(tenant, c!), EXPIRES, clock);
    void b;
    const first = await readEvents(store, tenant, FEED_START, { limit: 10, settleMs: 60_000 }, clock);
    expect(first.Events.map((e) => e.EventId)).toEqual([`pop-${a}.Sent`]);
    expect(first.Cursor).toBe('0.1');
    const later = await readEvents(
      store,
      tenant,
      parseCursor(first.Cursor)!,
      { limit: 10, settleMs: 60_000 },
      { now: () => Date.now() + 61_000 },
    );
    expect(later.Events.map((e) => e.EventId)).toEqual([`pop-${c}.Sent`]);
    expect(later.Cursor).toBe('0.3');
  });

  it('reads about as many slots as a page returns: each shard its share of the limit, not the whole limit', async () => {
    let queries = 0;
    let slotsRead = 0;
    class CountingStore extends EventStore {
      override async slotsAfter(tenant: string, partition: Partition, after: number, limit: number) {
        const slots = await super.slotsAfter(tenant, partition, after, limit);
        queries++;
        slotsRead += slots.length;
        return slots;
      }
    }
    const store = new CountingStore(table.db, table.tableName);
    const tenant = 'page-cost';
    await Promise.all(Array.from({ length: 120 }, (_, n) => appendEvent(store, draft(tenant, n), EXPIRES, clock)));
    const page = await readEvents(store, tenant, FEED_START, { limit: 20, settleMs: 0 }, clock);
    expect(page.Events).toHaveLength(20);
    // The shards' first round (a quarter of the limit each, twice that read for gaps), maybe a second, and the
    // unsharded partition: not four times the limit.
    expect(slotsRead).toBeLessThanOrEqual(3 * 20);
    expect(queries).toBeLessThanOrEqual(2 * EVENT_FEED_SHARDS + 1);
  });

  it('keeps tenants apart', async () => {
    const store = new EventStore(table.db, table.tableName);
    await appendEvent(store, draft('tenant-a', 1), EXPIRES, clock);
    await appendEvent(store, draft('tenant-b', 2), EXPIRES, clock);
    expect((await drain(store, 'tenant-a', '0', 0)).ids).toEqual(['pop-1.Sent']);
    expect((await drain(store, 'tenant-b', '0', 0)).ids).toEqual(['pop-2.Sent']);
  });
});

/**
 * What the feed's writer did before the feed was sharded, item by item as it wrote them (literal keys: the layout
 * an upgraded table holds): a number from the tenant's one counter, the event's place, then (`fill`) its slot.
 */
async function appendBeforeUpgrade(event: StoredEvent, fill: boolean): Promise<void> {
  const { Attributes } = await table.db.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { PK: `EVSEQ#${event.Tenant}`, SK: 'EVSEQ' },
      UpdateExpression: 'ADD #next :one',
      ExpressionAttributeNames: { '#next': 'Next' },
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const seq = Number(Attributes!.Next);
  const at = Date.now();
  const place = { PK: `EVKEY#${event.Tenant}#${encodeURIComponent(event.EventId)}`, SK: 'EVKEY' };
  await table.db.send(
    new PutCommand({ TableName: table.tableName, Item: { ...place, Seq: seq, AllocatedAt: at, ExpiresAt: EXPIRES } }),
  );
  if (!fill) return;
  const slot = { PK: `EVENTS#${event.Tenant}`, SK: String(seq).padStart(15, '0'), Kind: 'event', AllocatedAt: at };
  await table.db.send(
    new PutCommand({ TableName: table.tableName, Item: { ...slot, ExpiresAt: EXPIRES, Event: event } }),
  );
}

describe('the upgrade to a sharded feed: old cursors, events written before it', () => {
  let round = 0;
  it('reads every event once from an old cursor, the old events in place, each pop in order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.nat(9), { maxLength: 4 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 10 }),
        fc.array(fc.nat(9), { maxLength: 6 }),
        async (before, halfWritten, pagesBefore, pageSize, after, continued) => {
          const tenant = `u${round++}`;
          const store = new EventStore(table.db, table.tableName);
          // GIVEN events written before the upgrade, some whose writer stopped between its place and its slot
          for (let n = 0; n < before; n++) await appendBeforeUpgrade(draft(tenant, n), !halfWritten.includes(n));
          // and a reader holding an old cursor: one number, the place it had reached in the unsharded feed
          const seen: string[] = [];
          let cursor = '0';
          for (let i = 0; i < pagesBefore; i++) {
            const page = await readEvents(store, tenant, parseCursor(cursor)!, { limit: pageSize, settleMs: 0 }, clock);
            seen.push(...page.Events.map((e) => e.EventId));
            cursor = page.Cursor;
          }
          expect(cursor).toMatch(/^\d+$/);
          // WHEN the upgraded writers retry the stopped ones, append the next status of some old pops (after the
          // first, as the stream consumer does) and new pops' events, with the reader racing them
          const old = Array.from({ length: before }, (_, n) => n);
          const writers = [
            ...old.map(async (n) => {
              if (halfWritten.includes(n)) await appendEvent(store, draft(tenant, n), EXPIRES, clock);
              if (continued.includes(n)) await appendEvent(store, draft(tenant, n, 'Delivered'), EXPIRES, clock);
            }),
            ...Array.from({ length: after }, (_, i) => appendEvent(store, draft(tenant, before + i), EXPIRES, clock)),
          ];
          const reader = (async () => {
            for (let i = 0; i < 3; i++) {
              const drained = await drain(store, tenant, cursor, 0);
              seen.push(...drained.ids);
              cursor = drained.cursor;
            }
          })();
          await Promise.all([...writers, reader]);
          seen.push(...(await drain(store, tenant, cursor, 0)).ids);
          // THEN every event once, and each old pop's Sent before its Delivered
          const expected = [
            ...old.map((n) => `pop-${n}.Sent`),
            ...old.filter((n) => continued.includes(n)).map((n) => `pop-${n}.Delivered`),
            ...Array.from({ length: after }, (_, i) => `pop-${before + i}.Sent`),
          ];
          expect([...seen].sort()).toEqual([...expected].sort());
          for (const n of old.filter((m) => continued.includes(m)))
            expect(seen.indexOf(`pop-${n}.Sent`)).toBeLessThan(seen.indexOf(`pop-${n}.Delivered`));
          // The events written whole before the upgrade stay where they were: in the unsharded partition.
          const unsharded = await store.slotsAfter(tenant, 'legacy', 0, 100);
          const inPlace = unsharded.flatMap((slot) => (slot.kind === 'event' ? [slot.event.EventId] : []));
          for (const n of old.filter((m) => !halfWritten.includes(m))) expect(inPlace).toContain(`pop-${n}.Sent`);
        },
      ),
      { numRuns: 20 },
    );
  });
});

describe('a pop continued in a shard while its first event, half-written before the upgrade, is completed', () => {
  /** Runs `writer` once, right after the first read of the unsharded partition has its answer. */
  class RacingStore extends EventStore {
    writer?: () => Promise<void>;
    override async slotsAfter(tenant: string, partition: Partition, after: number, limit: number) {
      const slots = await super.slotsAfter(tenant, partition, after, limit);
      const writer = this.writer;
      if (partition !== 'legacy' || !writer) return slots;
      this.writer = undefined;
      await writer();
      return slots;
    }
  }

  it('never hands the later event (in its shard) before the earlier one (in the unsharded partition)', async () => {
    const tenant = 'upgrade-race';
    const store = new RacingStore(table.db, table.tableName);
    // GIVEN Sent's place taken before the upgrade, its slot not yet written (the last number of the old counter)
    await appendBeforeUpgrade(draft(tenant, 1), false);
    // WHEN the upgraded writer completes it and appends Delivered (in the pop's shard) while a page is being read
    store.writer = async () => {
      await appendEvent(store, draft(tenant, 1), EXPIRES, clock);
      await appendEvent(store, draft(tenant, 1, 'Delivered'), EXPIRES, clock);
    };
    // THEN a reader from the old cursor (reading on once the writer is done) gets Sent, then Delivered
    const first = await drain(store, tenant, '0', 60_000);
    const then = await drain(store, tenant, first.cursor, 60_000);
    expect([...first.ids, ...then.ids]).toEqual(['pop-1.Sent', 'pop-1.Delivered']);
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
      const page = await readEvents(events, 'streamed', FEED_START, { limit: 10, settleMs: 0 }, clock);
      const shard = shardOf('p1');
      const at = (seq: number) =>
        formatCursor({ legacy: 0, shards: FEED_START.shards.map((_, s) => (s === shard ? seq : 0)) });
      expect(page.Events.map((e) => [e.Status, e.Cursor])).toEqual([
        ['Sent', at(1)],
        ['Delivered', at(2)],
        ['Opened', at(3)],
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
      const before = await readEvents(events, 'poisoned', FEED_START, { limit: 10, settleMs: 0 }, clock);
      expect(before.Events.map((e) => e.PopId)).toEqual(['healthy']);
      // WHEN it is replayed (twice: the second finds it appended and adds nothing)
      const batch = failedBatchOf(failures[0]!)!;
      for (let i = 0; i < 2; i++)
        expect(await replayFailedBatch(batch, streamRecordsOf(streams), handler)).toEqual({
          kind: 'replayed',
          records: 1,
        });
      // THEN the reader's cursor gets it once, and the feed from the start has both once
      const after = await readEvents(
        events,
        'poisoned',
        parseCursor(before.Cursor)!,
        { limit: 10, settleMs: 0 },
        clock,
      );
      expect(after.Events.map((e) => e.EventId)).toEqual(['poison.Sent']);
      const all = await readEvents(events, 'poisoned', FEED_START, { limit: 10, settleMs: 0 }, clock);
      expect(all.Events.map((e) => e.EventId).sort()).toEqual(['healthy.Sent', 'poison.Sent']);
    } finally {
      viaProxy.destroy();
      streams.destroy();
      await stream.stop();
    }
  });
});
