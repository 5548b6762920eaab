/**
 * A receiver outage of 10 minutes loses no event, on the production back-off schedule (lambdas/webhooks/backoff.ts:
 * 5 s, 5 min, 30 min, ...) run 60 times faster by the local queue's time scale (local/queue/messageQueue.ts): one
 * real second is one minute of back-off, so the outage is 10 real seconds, the 5-minute retry of each event falls
 * inside it and the 30-minute one comes 35 real seconds after the first attempt. Unscaled, the 5-second retry would
 * also fall inside the 10 real seconds and the next come 5 minutes later: the test fails without the scale. Two
 * tenants pop while their receivers are down; afterwards each receiver holds every event of its tenant's feed
 * (GET /events) once per `webhook-id`, each signed with its own secret.
 */
import { startOwnStack, type OwnStack } from './support/ownStack';
import {
  eventually,
  restCall,
  sleep,
  startTestInstance,
  stopTestInstances,
  TestTenant,
} from './support/instanceHarness';
import { startReceiver, stopReceivers, type Receiver } from './support/webhookReceiver';

const TIME_SCALE = 60;
const OUTAGE_MINUTES = 10;
const POPS_PER_TENANT = 3;
/** Real milliseconds of `minutes` of back-off time. */
const realMs = (minutes: number) => (minutes * 60_000) / TIME_SCALE;
jest.setTimeout(120_000);

let stack: OwnStack;

beforeAll(async () => {
  // No webhookRetrySeconds: the default, production schedule.
  stack = await startOwnStack({ webhookTimeScale: TIME_SCALE });
}, 30_000);

afterAll(async () => {
  await stopTestInstances();
  await stopReceivers();
  await stack?.stop();
});

interface Endpoint {
  readonly tenant: TestTenant;
  readonly hooks: Receiver;
  readonly webhookId: string;
  readonly secret: string;
}

async function endpoint(): Promise<Endpoint> {
  const tenant = await TestTenant.create(stack);
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
  const hooks = await startReceiver();
  const created = await restCall(stack, 'POST', '/webhooks', { token: await tenant.token(), body: { Url: hooks.url } });
  expect(created.status).toBe(200);
  return { tenant, hooks, webhookId: created.body.Result.WebhookId, secret: created.body.Result.Secret };
}

async function feedOf(tenant: TestTenant) {
  const answer = await restCall(stack, 'GET', '/events?limit=100', { token: await tenant.token() });
  expect(answer.status).toBe(200);
  return answer.body.Result.Events as { EventId: string; Cursor: string }[];
}

const webhookOf = async ({ tenant, webhookId }: Endpoint) =>
  (await restCall(stack, 'GET', `/webhooks/${webhookId}`, { token: await tenant.token() })).body.Result;

test(`after a ${OUTAGE_MINUTES}-minute receiver outage every event arrives, once per webhook-id, signed`, async () => {
  const endpoints = [await endpoint(), await endpoint()];
  // GIVEN both receivers down (connection refused) for 10 minutes of back-off time, while each tenant pops
  await Promise.all(endpoints.map((e) => e.hooks.stop()));
  const outageEnds = Date.now() + realMs(OUTAGE_MINUTES);
  for (let i = 0; i < POPS_PER_TENANT; i++) {
    const statuses = await Promise.all(
      endpoints.map((e) => e.tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: `O-${i}` })),
    );
    expect(statuses.map((s) => s.Status)).toEqual(['Opened', 'Opened']);
    await sleep(realMs(OUTAGE_MINUTES / POPS_PER_TENANT) / 2);
  }
  const failing = await Promise.all(endpoints.map(webhookOf));
  expect(failing.map((w) => w.State)).toEqual(['Failing', 'Failing']);
  for (const w of failing) expect(w.LastError).toMatch(/ECONNREFUSED/);
  // The receivers refused them (LastError above), so the pops fell inside the outage. On a loaded machine the pops
  // can take longer than the outage itself: it then ends now (longer than planned), which changes nothing asserted.
  await sleep(Math.max(0, outageEnds - Date.now()));

  // WHEN the receivers come back on the same ports
  await Promise.all(endpoints.map((e) => e.hooks.start()));

  // THEN each holds its tenant's whole feed, once per webhook-id, with the feed's event and cursor, all signed
  for (const e of endpoints) {
    const feed = await eventually(
      'every event of the feed at its receiver',
      async () => {
        const events = await feedOf(e.tenant);
        const arrived = new Set(e.hooks.deduplicated().map((d) => d.headers['webhook-id']));
        return events.length === 3 * POPS_PER_TENANT && events.every((ev) => arrived.has(ev.EventId))
          ? events
          : undefined;
      },
      // The last pop's 30-minute step, after the outage ended, with room for a busy machine.
      realMs(40) + 10_000,
      250,
    );
    const kept = e.hooks.deduplicated();
    expect(kept.map((d) => sameEvent(d.payload)).sort(byEventId)).toEqual(feed.map(sameEvent).sort(byEventId));
    for (const d of e.hooks.deliveries)
      expect(d.payload).toEqual(kept.find((k) => k.headers['webhook-id'] === d.headers['webhook-id'])!.payload);
    expect(e.hooks.unverified(e.secret)).toEqual([]);
    expect(await webhookOf(e)).toMatchObject({ State: 'Active', DeadLettered: 0 });
  }
});

/** The feed's event and a delivery's carry different Cursors (the reader's place, the event's place alone: contract/events.ts). */
const sameEvent = ({ Cursor: _cursor, ...event }: { Cursor: string; EventId: string }) => event;
const byEventId = (a: { EventId: string }, b: { EventId: string }) => a.EventId.localeCompare(b.EventId);
