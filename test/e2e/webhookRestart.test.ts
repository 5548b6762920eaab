/**
 * A stack restart loses no event: a stack started with a data folder (startLocalStack({ dataDir }): cognito-local's
 * users and groups, DynamoDB's data, the stream's unhandled records and the webhook queues, local/README.md) is stopped while deliveries wait for a
 * receiver that is down, and started again over the same folder; every event then arrives, signed with the secret
 * given before the restart, and the feed and the endpoint's state are still there. The production back-off runs 60
 * times faster (local/queue/messageQueue.ts), so its 5-minute step is 5 real seconds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchE2eStack, type LaunchedStack } from './support/e2eStack';
import {
  basicAuthorization,
  createStackUser,
  eventually,
  restCall,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  type StackTarget,
} from './support/instanceHarness';
import { Receiver } from './support/webhookReceiver';

const TIME_SCALE = 60;
const POPS = 2;
jest.setTimeout(120_000);

const runDir = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
const localDir = mkdtempSync(path.join(runDir, 'restart-stack-'));
const dataDir = path.join(localDir, 'data');
const stacks: LaunchedStack[] = [];
const hooks = new Receiver();

const launch = async (label: string) => {
  const stack = await launchE2eStack({ localDir, dataDir, webhookTimeScale: TIME_SCALE, quiet: true }, label);
  stacks.push(stack);
  return stack;
};

afterAll(async () => {
  await stopTestInstances();
  await hooks.stop();
  await Promise.all(stacks.map((s) => s.stop()));
  // The emulators' state, all under the data folder (local/stack.ts startEmulators), holds passwords (cognito/) and
  // webhook secrets (the table): not left for the logs' scan.
  rmSync(dataDir, { recursive: true, force: true });
});

/**
 * A token of a new api caller of `tenant`, made on `stack` itself: TestTenant signs in at the stack it was made on. The
 * tenant's earlier users would sign in too (the user pool outlives the restart in the data folder, with the table).
 */
async function callerToken(stack: StackTarget, tenant: string): Promise<string> {
  const user = await createStackUser(stack, tenant, 'api');
  const answer = await restCall(stack, 'GET', '/auth', { headers: { Authorization: basicAuthorization(user) } });
  return answer.body.Result.IdToken;
}

test('deliveries pending for a receiver that is down survive a stop and start over the same data folder', async () => {
  // GIVEN a webhook whose receiver is down, and pops whose events are queued for it
  const first = await launch('restart stack (first start)');
  const tenant = await TestTenant.create(first);
  await startTestInstance(first, await tenant.newInstanceUser(), { agents: ['agent1'] });
  await hooks.start();
  const created = await restCall(first, 'POST', '/webhooks', { token: await tenant.token(), body: { Url: hooks.url } });
  const { WebhookId: webhookId, Secret: secret } = created.body.Result;
  await hooks.stop();
  for (let i = 0; i < POPS; i++)
    expect((await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: `R-${i}` })).Status).toBe(
      'Opened',
    );
  const feed = await eventually(
    'every event in the feed, the endpoint failing',
    async () => {
      const events = (await restCall(first, 'GET', '/events?limit=50', { token: await tenant.token() })).body.Result
        .Events;
      const webhook = (await restCall(first, 'GET', `/webhooks/${webhookId}`, { token: await tenant.token() })).body
        .Result;
      return events.length === 3 * POPS && webhook.State === 'Failing' ? events : undefined;
    },
    10_000,
    100,
  );
  expect(hooks.deliveries).toEqual([]);

  // WHEN the stack stops (SIGTERM, as Ctrl-C), the receiver comes back, and the stack starts over the same folder
  await stopTestInstances();
  await first.stop();
  await hooks.start();
  const second = await launch('restart stack (second start)');

  // THEN every event arrives, signed with the secret of before the restart
  await eventually(
    'every event at the receiver after the restart',
    () => new Set(hooks.deduplicated().map((d) => d.headers['webhook-id'])).size === feed.length,
    // The next step of the back-off is 5 minutes (5 s here), 30 (30 s) if the stop came after it.
    60_000,
    250,
  );
  expect(
    hooks
      .deduplicated()
      .map((d) => sameEvent(d.payload))
      .sort(byEventId),
  ).toEqual(feed.map(sameEvent).sort(byEventId));
  expect(hooks.unverified(secret)).toEqual([]);
  // ...and the second start still holds the feed and the endpoint, now delivering
  const token = await callerToken(second, tenant.tenant);
  const after = await restCall(second, 'GET', '/events?limit=50', { token });
  expect(after.body.Result.Events).toEqual(feed);
  const webhook = await restCall(second, 'GET', `/webhooks/${webhookId}`, { token });
  expect(webhook.body.Result).toMatchObject({ State: 'Active', DeadLettered: 0 });
});

/** The feed's event and a delivery's carry different Cursors (the reader's place, the event's place alone: contract/events.ts). */
const sameEvent = ({ Cursor: _cursor, ...event }: { Cursor: string; EventId: string }) => event;
const byEventId = (a: { EventId: string }, b: { EventId: string }) => a.EventId.localeCompare(b.EventId);
