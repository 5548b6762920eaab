/**
 * An endpoint that hangs (reads each request, never answers) for 10 minutes of back-off time, on the production
 * schedule run 60 times faster (as webhookOutage.test.ts), beside a healthy endpoint of the same tenant whose
 * deliveries share its batches: the sender (lambdas/webhooks/senderHandler.ts) stops on its deadline instead of
 * timing out, so the healthy endpoint gets every event once (no receive spent on a retry), the hanging one gets every
 * event after it recovers, and nothing reaches the dead-letter queue.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { LOCAL_CREDENTIALS } from '../../local/provision';
import { startOwnStack, type OwnStack } from './support/ownStack';
import { eventually, restCall, startTestInstance, stopTestInstances, TestTenant } from './support/instanceHarness';
import { startReceiver, stopReceivers } from './support/webhookReceiver';

const TIME_SCALE = 60;
/** Real milliseconds of `minutes` of back-off time. */
const realMs = (minutes: number) => (minutes * 60_000) / TIME_SCALE;
jest.setTimeout(150_000);

let stack: OwnStack;
beforeAll(async () => {
  stack = await startOwnStack({ webhookTimeScale: TIME_SCALE });
}, 60_000);
afterAll(async () => {
  await stopTestInstances();
  await stopReceivers();
  await stack?.stop();
});

async function deadLetters(): Promise<number> {
  const sqs = new SQSClient({
    region: stack.endpoints.Region,
    endpoint: new URL(stack.endpoints.WebhookDeadLetterQueueUrl!).origin,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.endpoints.WebhookDeadLetterQueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
  } finally {
    sqs.destroy();
  }
}

test('a hanging endpoint gets every event after it recovers; a healthy one in the same batches is not held up', async () => {
  const tenant = await TestTenant.create(stack);
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
  const healthy = await startReceiver();
  const hanging = await startReceiver();
  for (const hooks of [healthy, hanging]) {
    const created = await restCall(stack, 'POST', '/webhooks', {
      token: await tenant.token(),
      body: { Url: hooks.url },
    });
    expect(created.status).toBe(200);
  }
  // GIVEN the second endpoint hanging for 10 minutes of back-off time
  const recovers = Date.now() + realMs(10);
  hanging.hangUntil(recovers);
  const pops = [];
  for (let i = 0; i < 3; i++)
    pops.push(await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: `HANG-${i}` }));
  const events = pops.length * 3;
  // THEN the healthy endpoint gets every event exactly once: delivered on its first receive, never put back by an
  // invocation the hanging endpoint ran past its timeout (that would deliver it again, the same webhook-id)
  await eventually('the healthy endpoint has every event', () => healthy.deduplicated().length === events, 30_000, 50);
  expect(hanging.hung).toBeGreaterThan(0);
  // ...and once recovered the hanging one gets every event too, once per webhook-id, none dead-lettered
  await eventually(
    'the recovered endpoint has every event',
    () => hanging.deduplicated().length === events,
    90_000,
    100,
  );
  expect(
    hanging
      .deduplicated()
      .map((d) => d.headers['webhook-id'])
      .sort(),
  ).toEqual(
    healthy
      .deduplicated()
      .map((d) => d.headers['webhook-id'])
      .sort(),
  );
  expect(healthy.deliveries).toHaveLength(events);
  expect(await deadLetters()).toBe(0);
});
