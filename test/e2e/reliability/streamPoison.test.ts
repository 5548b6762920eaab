/**
 * A poison record in the event pipeline, on a local stack of this file's own (test/e2e/support/faultStack.ts): the
 * stream function fails on a pop's records more often than the event source retries (lib/streamMapping.ts), so each
 * record is bisected down to itself, retried, and given up to the on-failure queue (local/streams/streamDispatcher.ts,
 * as lib/eventPipeline.ts configures Lambda); the pipeline goes on behind it. Then the provisioning CLI's
 * `events replay` reads the records back from the stream and each event reaches the feed exactly once, after the
 * cursor a reader had already reached, and the queue is empty.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { LOCAL_CREDENTIALS } from '../../../local/provision';
import { run } from '../../../provisioning/main';
import { startFaultStack, useStack, type FaultStack } from '../support/faultStack';
import {
  eventually,
  PopGate,
  restCall,
  startTestInstance,
  stopTestInstances,
  TestTenant,
} from '../support/instanceHarness';

jest.setTimeout(180_000);

let stack: FaultStack;
let sqs: SQSClient;
beforeAll(async () => {
  stack = await startFaultStack();
  useStack(stack);
  sqs = new SQSClient({
    region: stack.endpoints.Region,
    endpoint: new URL(stack.endpoints.StreamFailureQueueUrl!).origin,
    credentials: LOCAL_CREDENTIALS,
  });
});
afterAll(async () => {
  await stopTestInstances();
  sqs?.destroy();
  await stack?.stop();
});

const givenUp = async () => {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: stack.endpoints.StreamFailureQueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
  );
};

interface FeedPage {
  Events: { EventId: string; Cursor: string; PopId: string; Status: string }[];
  Cursor: string;
}

async function feed(tenant: TestTenant, after: string): Promise<FeedPage> {
  const answer = await restCall<FeedPage>(stack, 'GET', `/events?after=${after}&limit=100`, {
    token: await tenant.token(),
  });
  expect(answer.status).toBe(200);
  return answer.body.Result;
}

test('a record that fails past its retries goes to the on-failure queue, and events replay puts it in the feed once, after the cursor', async () => {
  const tenant = await TestTenant.create(stack);
  const gate = new PopGate();
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] }, { openGate: gate.hold });
  // GIVEN a pop whose Sent and Delivered records make the stream function fail more often than it is retried
  await stack.failStreamInvocations(1000);
  const { answer } = await tenant.popUntilAccepted({ Username: 'agent1', Campaign: 'Sales', Reference: 'POISON-1' });
  const popId = answer.body.Result.PopId;
  await gate.arrived(popId);
  // WHEN both are given up (one message each: bisecting isolates a record before its retries are spent)
  await eventually('both records on the on-failure queue', async () => (await givenUp()) === 2, 120_000, 250);
  await stack.failStreamInvocations(0);
  // THEN the feed does not have them, and a reader's cursor moves on past the pop's later events
  gate.open(popId);
  const before = await eventually(
    'the Opened event',
    async () => {
      const page = await feed(tenant, '0');
      return page.Events.some((e) => e.Status === 'Opened') && page;
    },
    30_000,
    100,
  );
  expect(before.Events.map((e) => e.Status)).toEqual(['Opened']);

  // WHEN the operator replays what was given up
  const endpointsFile = path.join(stack.localDir, 'replay-endpoints.json');
  writeFileSync(endpointsFile, JSON.stringify(stack.endpoints));
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (line: string) => out.push(line),
    err: (line: string) => err.push(line),
    env: process.env,
  } as never;
  expect(await run(['events', 'replay', '--endpoints', endpointsFile, '--json'], io)).toBe(0);
  expect(JSON.parse(out[0]!)).toMatchObject({ replayed: 2, records: 2, left: [] });

  // THEN both events come after the reader's cursor, once each, in the pop's order, and the queue is empty
  const after = await feed(tenant, before.Cursor);
  expect(after.Events.map((e) => [e.PopId, e.Status])).toEqual([
    [popId, 'Sent'],
    [popId, 'Delivered'],
  ]);
  expect(await givenUp()).toBe(0);
  // A second replay finds nothing, and the whole feed holds each event once.
  out.length = 0;
  expect(await run(['events', 'replay', '--endpoints', endpointsFile, '--json'], io)).toBe(0);
  expect(JSON.parse(out[0]!)).toMatchObject({ replayed: 0 });
  const all = await feed(tenant, '0');
  expect(all.Events.map((e) => e.EventId).sort()).toEqual(
    [`${popId}.Delivered`, `${popId}.Opened`, `${popId}.Sent`].sort(),
  );
});
