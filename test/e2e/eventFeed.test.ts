/**
 * GET /events through the local API Gateway: the table's stream (local/streams/) feeds the popStream
 * function, and a caller pages its own tenant's events from a cursor. A real api-caller pops, the reference instance
 * (in-process) opens or drops the pop, and the feed is read as an integrator reads it: page after page, resuming from
 * the last cursor it handled.
 */
import {
  PopGate,
  restCall,
  sharedStack,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  eventually,
} from './support/instanceHarness';

const stack = () => sharedStack();
jest.setTimeout(90_000);
afterAll(stopTestInstances);

interface FeedEvent {
  Cursor: string;
  EventId: string;
  Type: string;
  PopId: string;
  Status: string;
  Username: string;
  Campaign: string;
  Reference?: string;
  OccurredAt: string;
}

/** The sum of a cursor's places (lambdas/events/feedPartitions.ts): it grows as a reader moves on. */
const placesOf = (cursor: string) => cursor.split('.').reduce((sum, place) => sum + Number(place), 0);

/** Every event after `after`, following each page's Cursor (pages of `limit`) until a page brings nothing new. */
async function readFeed(
  tenant: TestTenant,
  after: string,
  limit = 2,
): Promise<{ events: FeedEvent[]; cursor: string }> {
  const events: FeedEvent[] = [];
  let cursor = after;
  for (;;) {
    const page = await restCall<{ Events: FeedEvent[]; Cursor: string }>(
      stack(),
      'GET',
      `/events?after=${cursor}&limit=${limit}`,
      {
        token: await tenant.token(),
      },
    );
    expect(page.status).toBe(200);
    expect(page.body.Result.Events.length).toBeLessThanOrEqual(limit);
    events.push(...page.body.Result.Events);
    if (page.body.Result.Events.length === 0) return { events, cursor };
    expect(page.body.Result.Cursor).toBe(page.body.Result.Events.at(-1)!.Cursor);
    cursor = page.body.Result.Cursor;
  }
}

/** Reads on from `after` until `popId` has reached `last` in the feed. */
async function feedUntil(tenant: TestTenant, after: string, popId: string, last: string) {
  const seen: FeedEvent[] = [];
  let cursor = after;
  await eventually(
    `the ${last} event of ${popId}`,
    async () => {
      const more = await readFeed(tenant, cursor);
      seen.push(...more.events);
      cursor = more.cursor;
      return seen.some((e) => e.PopId === popId && e.Status === last);
    },
    30_000,
    200,
  );
  return { events: seen, cursor };
}

test('a pop is Sent, Delivered, Opened in the feed in order with growing cursors; resuming brings nothing new; another tenant sees none; a recall is an event', async () => {
  const tenant = await TestTenant.create(stack());
  // The test opens each pop itself (PopGate): the second pop must still be waiting when it is recalled.
  const gate = new PopGate();
  await startTestInstance(
    stack(),
    await tenant.newInstanceUser(),
    { agents: ['agent1', 'agent2'] },
    { openGate: gate.hold },
  );
  const { answer: firstPop } = await tenant.popUntilAccepted({
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'EV-1',
  });
  expect(firstPop.status).toBe(202);
  await gate.arrived(firstPop.body.Result.PopId);
  gate.open(firstPop.body.Result.PopId);
  const opened = await tenant.settled(firstPop.body.Result.PopId);
  expect(opened.Status).toBe('Opened');

  const first = await feedUntil(tenant, '0', opened.PopId, 'Opened');

  expect(first.events.map((e) => [e.PopId, e.Status])).toEqual([
    [opened.PopId, 'Sent'],
    [opened.PopId, 'Delivered'],
    [opened.PopId, 'Opened'],
  ]);
  // A cursor is opaque; one pop's events are in one shard of the feed, so its places there grow.
  const cursors = first.events.map((e) => placesOf(e.Cursor));
  expect(cursors).toEqual([...cursors].sort((a, b) => a - b));
  expect(new Set(cursors).size).toBe(3);
  expect(new Set(first.events.map((e) => e.EventId)).size).toBe(3);
  expect(first.events[2]).toMatchObject({
    Type: 'pop.status',
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'EV-1',
    OccurredAt: opened.UpdatedAt,
  });

  // Resuming from the last cursor handled: nothing new, and the same cursor to resume from again.
  const resumed = await restCall(stack(), 'GET', `/events?after=${first.cursor}`, { token: await tenant.token() });
  expect(resumed.body.Result).toEqual({ Events: [], Cursor: first.cursor });

  // Another tenant, from the start of its own feed: none of these events.
  const stranger = await TestTenant.create(stack());
  const theirs = await readFeed(stranger, '0', 100);
  expect(theirs.events).toEqual([]);

  // A recall is an event too: Sent, Delivered, then Recalled, after the cursor the caller had reached.
  const { answer } = await tenant.popUntilAccepted({ Username: 'agent2', Campaign: 'Sales', Reference: 'EV-2' });
  const popId = answer.body.Result.PopId;
  await gate.arrived(popId);
  await eventually('Delivered', async () => (await tenant.popStatus(popId)).body.Result.Status === 'Delivered');
  const recalled = await restCall(stack(), 'DELETE', `/pops/${popId}`, { token: await tenant.token() });
  expect(recalled.status).toBe(200);

  const second = await feedUntil(tenant, first.cursor, popId, 'Recalled');
  expect(second.events.map((e) => [e.PopId, e.Status])).toEqual([
    [popId, 'Sent'],
    [popId, 'Delivered'],
    [popId, 'Recalled'],
  ]);
  expect(placesOf(second.events[0]!.Cursor)).toBeGreaterThan(placesOf(first.cursor));
});
