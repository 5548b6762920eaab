/**
 * examples/webhook-receiver.ts end to end, on a stack of this file's own with a short webhook back-off (as
 * test/e2e/webhooks.test.ts starts its own): the example runs as a separate process on a loopback port, is registered
 * through POST /webhooks, and prints every event of a pop once, each verified with the SDK's verifyWebhook; a forged
 * delivery is refused with 401 and printed nowhere; a repeated `webhook-id` is answered 204 and printed once.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { Webhook } from 'standardwebhooks';
import { startOwnStack, type OwnStack } from '../support/ownStack';
import { eventually, restCall, startTestInstance, stopTestInstances, TestTenant } from '../support/instanceHarness';

jest.setTimeout(60_000);

const ROOT = path.resolve(__dirname, '../../..');
let stack: OwnStack;
let receiver: ChildProcessWithoutNullStreams | undefined;
let printed = '';

beforeAll(async () => {
  stack = await startOwnStack({ webhookRetrySeconds: [1, 2, 2, 2, 2, 2, 2] });
}, 30_000);

afterAll(async () => {
  receiver?.kill();
  await stopTestInstances();
  await stack?.stop();
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The example as a person runs it; resolves once it listens. */
async function startReceiver(secret: string, port: number): Promise<void> {
  const env = { ...process.env, WEBHOOK_SECRET: secret, PORT: String(port) };
  receiver = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(ROOT, 'examples/webhook-receiver.ts')], {
    cwd: ROOT,
    env,
  });
  receiver.stdout.on('data', (chunk: Buffer) => (printed += chunk.toString()));
  let stderr = '';
  receiver.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await eventually(
    'the receiver listening',
    () => stderr.includes(`listening on http://127.0.0.1:${port}/hooks`),
    15_000,
  );
}

const events = () =>
  printed
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { EventId: string; PopId: string; Status: string });

test('the example receiver verifies, prints each event once, and refuses a forged delivery with 401', async () => {
  const tenant = await TestTenant.create(stack);
  await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/hooks`;
  const registered = await restCall(stack, 'POST', '/webhooks', { token: await tenant.token(), body: { Url: url } });
  expect(registered.status).toBe(200);
  const secret: string = registered.body.Result.Secret;
  await startReceiver(secret, port);

  const status = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'W-R1' });
  await eventually(
    'Sent, Delivered and Opened printed',
    () => events().filter((e) => e.PopId === status.PopId).length === 3,
    20_000,
  );
  expect(
    events()
      .map((e) => e.Status)
      .sort(),
  ).toEqual(['Delivered', 'Opened', 'Sent']);

  // A forged delivery (another secret's signature) is refused and not printed.
  const body = JSON.stringify({ EventId: 'forged-1', PopId: 'forged', Status: 'Opened' });
  const forged = new Webhook(Buffer.from('not-the-secret-key-32-bytes-long').toString('base64'));
  const at = new Date();
  const forgedHeaders = {
    'webhook-id': 'forged-1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': forged.sign('forged-1', at, body),
  };
  expect((await fetch(url, { method: 'POST', headers: forgedHeaders, body })).status).toBe(401);
  expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(
    401,
  );

  // A genuine delivery repeated with the same webhook-id: 204 both times, printed once.
  const genuine = new Webhook(secret);
  const again = JSON.stringify({ EventId: 'again-1', PopId: 'again', Status: 'Opened' });
  const headers = {
    'webhook-id': 'again-1',
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': genuine.sign('again-1', at, again),
  };
  expect((await fetch(url, { method: 'POST', headers, body: again })).status).toBe(204);
  expect((await fetch(url, { method: 'POST', headers, body: again })).status).toBe(204);
  await eventually('the genuine one printed', () => events().some((e) => e.PopId === 'again'), 5_000);
  expect(events().filter((e) => e.PopId === 'again')).toHaveLength(1);
  expect(events().some((e) => e.PopId === 'forged')).toBe(false);
});
