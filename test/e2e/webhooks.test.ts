/**
 * Signed webhooks end to end on a stack of this file's own with a short back-off (1 s, then 2 s):
 * the stream function queues each event on the emulated SQS queue (local/queue/), the `webhookSender` function takes
 * it from there in an execution environment and POSTs it to a receiver on 127.0.0.1, which checks every signature with
 * the `standardwebhooks` package, as an integrator would. The shared stack keeps the 27-hour default schedule.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { Webhook } from 'standardwebhooks';
import { startOwnStack, type OwnStack } from './support/ownStack';
import { startReceiver, stopReceivers } from './support/webhookReceiver';
import {
  eventually,
  restCall,
  sleep,
  startTestInstance,
  stopTestInstances,
  TestTenant,
} from './support/instanceHarness';

const RETRY_SECONDS = [1, 2, 2, 2, 2, 2, 2];
jest.setTimeout(40_000);

/** docs/asyncapi.json's webhook delivery: every real delivery must match its payload and headers schemas. */
const deliveryMessage = JSON.parse(readFileSync(path.join(__dirname, '../../docs/asyncapi.json'), 'utf8')).channels
  .webhookDeliveries.messages.WebhookDelivery;
const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
const documentedPayload = ajv.compile(deliveryMessage.payload);
const documentedHeaders = ajv.compile(deliveryMessage.headers);

let stack: OwnStack;

beforeAll(async () => {
  stack = await startOwnStack({ webhookRetrySeconds: RETRY_SECONDS });
}, 30_000);

afterAll(async () => {
  await stopTestInstances();
  await stopReceivers();
  await stack?.stop();
});

async function register(tenant: TestTenant, url: string): Promise<{ WebhookId: string; Secret: string }> {
  const answer = await restCall(stack, 'POST', '/webhooks', { token: await tenant.token(), body: { Url: url } });
  expect(answer.status).toBe(200);
  return answer.body.Result;
}

/** A tenant with an instance holding agent1, and its webhook pointed at a fresh receiver. */
async function tenantWithReceiver() {
  const tenant = await TestTenant.create(stack);
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
  const hooks = await startReceiver();
  const webhook = await register(tenant, hooks.url);
  return { tenant, hooks, webhook };
}

async function popOpened(tenant: TestTenant): Promise<string> {
  const status = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'W-1' });
  expect(status.Status).toBe('Opened');
  return status.PopId;
}

const ALL = ['Delivered', 'Opened', 'Sent'];

test('every status of a pop arrives signed (Standard Webhooks), with its event cursor; another tenant gets none of it', async () => {
  const a = await tenantWithReceiver();
  const b = await tenantWithReceiver();
  const popId = await popOpened(a.tenant);

  await eventually('Sent, Delivered and Opened at the receiver', () => a.hooks.statusesOf(popId).length === 3, 15_000);
  expect(a.hooks.statusesOf(popId)).toEqual(ALL);
  const verifier = new Webhook(a.webhook.Secret);
  const feed = await restCall(stack, 'GET', '/events?limit=50', { token: await a.tenant.token() });
  for (const delivery of a.hooks.deliveries) {
    expect(() => verifier.verify(delivery.body, delivery.headers)).not.toThrow();
    expect(delivery.headers['webhook-id']).toBe(delivery.payload.EventId);
    // The delivery carries the same event as GET /events, and the same cursor: one pop, so its shard's place alone is
    // the reader's whole cursor too (contract/events.ts).
    expect(feed.body.Result.Events).toContainEqual(delivery.payload);
    // ...and is what docs/asyncapi.json documents.
    expect([documentedPayload(delivery.payload), documentedPayload.errors ?? null]).toEqual([true, null]);
    expect([documentedHeaders(delivery.headers), documentedHeaders.errors ?? null]).toEqual([true, null]);
  }
  // Signed with a's secret only: b's secret does not verify it.
  expect(() =>
    new Webhook(b.webhook.Secret).verify(a.hooks.deliveries[0]!.body, a.hooks.deliveries[0]!.headers),
  ).toThrow();
  await sleep(500);
  expect(b.hooks.deliveries.filter((d) => d.payload.PopId === popId)).toEqual([]);
});

test('a receiver that is down gets every event after it comes back (retried with back-off, the same webhook-id)', async () => {
  const { tenant, hooks, webhook } = await tenantWithReceiver();
  await hooks.stop();
  const popId = await popOpened(tenant);
  // The first attempts fail; the endpoint shows it.
  const failing = await eventually(
    'the endpoint failing',
    async () => {
      const got = await restCall(stack, 'GET', `/webhooks/${webhook.WebhookId}`, { token: await tenant.token() });
      return got.body.Result.State === 'Failing' ? got.body.Result : undefined;
    },
    10_000,
  );
  expect(failing.LastError).toEqual(expect.any(String));
  await sleep(2_000);
  await hooks.start();

  await eventually('every event after the outage', () => hooks.statusesOf(popId).length === 3, 20_000);
  expect(hooks.statusesOf(popId)).toEqual(ALL);
  const verifier = new Webhook(webhook.Secret);
  for (const delivery of hooks.deliveries) expect(() => verifier.verify(delivery.body, delivery.headers)).not.toThrow();
  const after = await restCall(stack, 'GET', `/webhooks/${webhook.WebhookId}`, { token: await tenant.token() });
  expect(after.body.Result).toMatchObject({ State: 'Active', DeadLettered: 0 });
});

test('after rotate-secret each delivery carries two signatures: one by the new secret, one by the old', async () => {
  const { tenant, hooks, webhook } = await tenantWithReceiver();
  const rotated = await restCall(stack, 'POST', `/webhooks/${webhook.WebhookId}/rotate-secret`, {
    token: await tenant.token(),
  });
  expect(rotated.status).toBe(200);
  const newSecret: string = rotated.body.Result.Secret;
  expect(newSecret).not.toBe(webhook.Secret);
  const popId = await popOpened(tenant);

  await eventually('the events after the rotation', () => hooks.statusesOf(popId).length === 3, 15_000);
  for (const delivery of hooks.deliveries.filter((d) => d.payload.PopId === popId)) {
    const signatures = delivery.headers['webhook-signature']!.split(' ');
    expect(signatures).toHaveLength(2);
    // Each secret alone verifies the delivery (standardwebhooks accepts any one matching signature)...
    expect(() => new Webhook(newSecret).verify(delivery.body, delivery.headers)).not.toThrow();
    expect(() => new Webhook(webhook.Secret).verify(delivery.body, delivery.headers)).not.toThrow();
    // ...and the two signatures are one by each secret.
    const by = (secret: string) =>
      signatures.filter((signature) => {
        try {
          new Webhook(secret).verify(delivery.body, { ...delivery.headers, 'webhook-signature': signature });
          return true;
        } catch {
          return false;
        }
      });
    expect(by(newSecret)).toHaveLength(1);
    expect(by(webhook.Secret)).toHaveLength(1);
    expect(by(newSecret)).not.toEqual(by(webhook.Secret));
  }
});

test('POST /webhooks/{WebhookId}/test queues a signed webhook.test delivery whose webhook-id is the MessageId answered', async () => {
  const { tenant, hooks, webhook } = await tenantWithReceiver();
  const queued = await restCall(stack, 'POST', `/webhooks/${webhook.WebhookId}/test`, { token: await tenant.token() });
  expect(queued.status).toBe(202);
  const messageId: string = queued.body.Result.MessageId;
  const delivery = await eventually(
    'the test delivery',
    () => hooks.deliveries.find((d) => d.headers['webhook-id'] === messageId),
    10_000,
  );
  expect(JSON.parse(delivery.body)).toEqual({
    Type: 'webhook.test',
    WebhookId: webhook.WebhookId,
    OccurredAt: expect.any(String),
  });
  expect(hooks.unverified(webhook.Secret)).toEqual([]);
  expect([documentedPayload(JSON.parse(delivery.body)), documentedPayload.errors ?? null]).toEqual([true, null]);
});
