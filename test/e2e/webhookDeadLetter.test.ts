/**
 * An endpoint that never accepts: each event is tried once and again after every step of the production back-off
 * (lambdas/webhooks/backoff.ts, about 27.6 hours), run 7200 times faster by the local queue's time scale (one real
 * second is two hours: the whole schedule in about 14 s), then lands in the dead-letter queue, read here with the AWS
 * SDK's SQS client as an operator would; GET /webhooks/{WebhookId} shows the endpoint failing and counts it.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DEFAULT_RETRY_SECONDS } from '../../lambdas/webhooks/backoff';
import { startOwnStack, type OwnStack } from './support/ownStack';
import { eventually, restCall, startTestInstance, stopTestInstances, TestTenant } from './support/instanceHarness';
import { Receiver } from './support/webhookReceiver';

const TIME_SCALE = 7200;
const SCHEDULE_REAL_MS = (DEFAULT_RETRY_SECONDS.reduce((sum, s) => sum + s, 0) * 1000) / TIME_SCALE;
jest.setTimeout(90_000);

let stack: OwnStack;
let hooks: Receiver;
let sqs: SQSClient;

beforeAll(async () => {
  stack = await startOwnStack({ webhookTimeScale: TIME_SCALE });
  hooks = await new Receiver().answering(500).start();
  sqs = new SQSClient({
    region: stack.endpoints.Region,
    endpoint: new URL(stack.endpoints.WebhookQueueUrl!).origin,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}, 30_000);

afterAll(async () => {
  sqs?.destroy();
  await stopTestInstances();
  await hooks?.stop();
  await stack?.stop();
});

const approximateCount = async (queueUrl: string) => {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
};

test('every event of an endpoint answering 500 exhausts its retries, lands in the dead-letter queue and shows in GET /webhooks/{WebhookId}', async () => {
  // GIVEN an endpoint that answers 500 to everything, and a pop that makes three events
  const tenant = await TestTenant.create(stack);
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
  const created = await restCall(stack, 'POST', '/webhooks', { token: await tenant.token(), body: { Url: hooks.url } });
  expect(created.status).toBe(200);
  const { WebhookId: webhookId, Secret: secret } = created.body.Result;
  const status = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'DLQ-1' });
  expect(status.Status).toBe('Opened');

  // WHEN the whole back-off has passed
  const deadLetterQueueUrl = stack.endpoints.WebhookDeadLetterQueueUrl!;
  await eventually(
    'three dead letters',
    async () => (await approximateCount(deadLetterQueueUrl)) === 3,
    SCHEDULE_REAL_MS * 3,
    250,
  );

  // THEN each event was tried once per step plus once, every attempt signed, the same webhook-id each time
  const attempts = new Map<string, number>();
  for (const d of hooks.deliveries)
    attempts.set(d.headers['webhook-id']!, (attempts.get(d.headers['webhook-id']!) ?? 0) + 1);
  expect([...attempts.values()]).toEqual([1, 1, 1].map(() => DEFAULT_RETRY_SECONDS.length + 1));
  expect(hooks.unverified(secret)).toEqual([]);
  // ...the dead-letter queue holds each delivery (its event and cursor), the delivery queue nothing more
  const { Messages } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10 }),
  );
  const dead = (Messages ?? []).map((m) => JSON.parse(m.Body!));
  const feed = (await restCall(stack, 'GET', '/events?limit=10', { token: await tenant.token() })).body.Result.Events;
  expect(dead.map((m) => sameEvent(m.payload)).sort(byEventId)).toEqual(feed.map(sameEvent).sort(byEventId));
  expect(dead.map((m) => [m.webhookId, m.messageId]).sort()).toEqual(
    [...attempts.keys()].map((id) => [webhookId, id]).sort(),
  );
  expect(await approximateCount(stack.endpoints.WebhookQueueUrl!)).toBe(0);
  // ...and the endpoint's state says so
  const got = await restCall(stack, 'GET', `/webhooks/${webhookId}`, { token: await tenant.token() });
  expect(got.body.Result).toMatchObject({ State: 'Failing', LastError: 'HTTP 500', DeadLettered: 3 });
  expect(got.body.Result.LastDeliveryAt).toBeUndefined();
  const firstAttempt = Math.min(...hooks.deliveries.map((d) => Number(d.headers['webhook-timestamp']) * 1000));
  expect(Date.parse(got.body.Result.FailingSince)).toBeLessThanOrEqual(firstAttempt + 1000);
});

/** The feed's event and a delivery's carry different Cursors (the reader's place, the event's place alone: contract/events.ts). */
const sameEvent = ({ Cursor: _cursor, ...event }: { Cursor: string; EventId: string }) => event;
const byEventId = (a: { EventId: string }, b: { EventId: string }) => a.EventId.localeCompare(b.EventId);
