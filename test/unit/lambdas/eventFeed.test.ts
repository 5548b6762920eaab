/**
 * The event feed (lambdas/events/eventLog.ts) against dynalite: paging from any cursor sees every event
 * exactly once, in one order, while many writers append, retried writers repeat themselves, some writers die after
 * taking a number, and readers close gaps as soon as they may (settle window 0, the hardest case for the fencing).
 * Then the local stream emulation (local/streams/) end to end: pop writes through the proxy become events.
 */
import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { appendEvent, readEvents } from '../../../lambdas/events/eventLog';
import { EventStore, type StoredEvent } from '../../../lambdas/events/eventStore';
import { makePopStreamHandler } from '../../../lambdas/events/streamHandler';
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
