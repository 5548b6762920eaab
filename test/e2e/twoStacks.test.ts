/**
 * Two local stacks in one process (local/stack.ts, every port free): the handlers are built from their factories with
 * each stack's own configuration object (lambdas/handlerFactories.ts), nothing in process.env, so the stacks share
 * nothing: a pop through one reaches only that stack's instance, and each keeps its own settings (claim window).
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import WebSocket from 'ws';
import { silentLog } from '../../local/gateway/log';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { recordSecret, recordTokens } from './support/secrets';

jest.setTimeout(60_000);

interface Running {
  readonly stack: LocalStack;
  readonly dir: string;
  readonly token: string;
  readonly socket: WebSocket;
  readonly received: Record<string, unknown>[];
}

const basicOf = (user: { username: string; password: string }) =>
  `Basic ${Buffer.from(`${user.username}:${recordSecret('password', user.password)}`).toString('base64')}`;

async function token(stack: LocalStack, user: { username: string; password: string }): Promise<string> {
  const response = await fetch(`${stack.endpoints.RestApiUrl}/auth`, { headers: { Authorization: basicOf(user) } });
  const body = (await response.json()) as { Result: { IdToken: string; AccessToken: string } };
  expect(response.status).toBe(200);
  recordTokens(body.Result);
  return body.Result.IdToken;
}

/** The stack's demo instance user on a WebSocket with both agents on its Desktop; every message it receives kept. */
async function instanceOn(stack: LocalStack): Promise<{ socket: WebSocket; received: Record<string, unknown>[] }> {
  const idToken = await token(stack, stack.demo.instance);
  const socket = new WebSocket(stack.endpoints.WebSocketUrl, { headers: { Authorization: `Bearer ${idToken}` } });
  await new Promise<void>((resolve, reject) => socket.once('open', () => resolve()).once('error', reject));
  const received: Record<string, unknown>[] = [];
  socket.on('message', (data) => received.push(JSON.parse(String(data))));
  socket.send(JSON.stringify({ Action: 'Desktop', Agents: ['agent1', 'agent2'] }));
  return { socket, received };
}

/**
 * Waits until the stack has stored the Desktop list (POST /pop/validate finds both agents), instead of a pause that a
 * busy machine can outlast; Desktop itself is answered with nothing, so nothing else was received.
 */
async function desktopStored(stack: LocalStack, apiToken: string, received: Record<string, unknown>[]): Promise<void> {
  for (const agent of ['agent1', 'agent2']) {
    for (let status = 0; status !== 200;) {
      const answer = await fetch(`${stack.endpoints.RestApiUrl}/pop/validate`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${apiToken}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ Username: agent, Campaign: 'Sales' }),
      });
      status = answer.status;
      await answer.text();
      if (status !== 200) await new Promise((r) => setTimeout(r, 20));
    }
  }
  expect(received).toEqual([]);
}

async function start(claimWindowSeconds: number): Promise<Running> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-two-stacks-'));
  const stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir: dir,
    claimWindowSeconds,
    log: silentLog,
  });
  const instance = await instanceOn(stack);
  const apiToken = await token(stack, stack.demo.api);
  await desktopStored(stack, apiToken, instance.received);
  return { stack, dir, token: apiToken, ...instance };
}

const popThrough = (running: Running, body: Record<string, unknown>) =>
  fetch(`${running.stack.endpoints.RestApiUrl}/pop`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${running.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

async function popsReceived(running: Running, count: number): Promise<Record<string, unknown>[]> {
  const until = Date.now() + 5_000;
  while (running.received.filter((m) => m.Type === 'Pop').length < count && Date.now() < until)
    await new Promise((r) => setTimeout(r, 20));
  return running.received.filter((m) => m.Type === 'Pop');
}

describe('two local stacks in one process', () => {
  let a: Running;
  let b: Running;
  beforeAll(async () => {
    // GIVEN two stacks started side by side, with different claim windows
    a = await start(60);
    b = await start(1);
  });
  afterAll(async () => {
    for (const running of [a, b]) {
      if (!running) continue;
      running.socket.close();
      await running.stack.stop();
      rmSync(running.dir, { recursive: true, force: true });
    }
  });

  it('runs each on its own ports and emulators', () => {
    expect(a.stack.endpoints.RestApiUrl).not.toBe(b.stack.endpoints.RestApiUrl);
    expect(a.stack.endpoints.DynamoDbEndpoint).not.toBe(b.stack.endpoints.DynamoDbEndpoint);
    expect(a.stack.endpoints.UserPoolId).not.toBe('');
  });

  it('delivers a pop only to the instance of the stack it was posted to', async () => {
    // WHEN one pop goes through each stack
    const toA = await popThrough(a, { Username: 'agent1', Campaign: 'Sales', ScriptData: { Through: 'A' } });
    const toB = await popThrough(b, { Username: 'agent1', Campaign: 'Sales', ScriptData: { Through: 'B' } });
    // THEN each is accepted by its stack and arrives at that stack's instance only
    expect([toA.status, toB.status]).toEqual([202, 202]);
    const popA = ((await toA.json()) as { Result: { PopId: string } }).Result.PopId;
    const popB = ((await toB.json()) as { Result: { PopId: string } }).Result.PopId;
    expect((await popsReceived(a, 1)).map((m) => [m.PopId, (m.ScriptData as Record<string, string>).Through])).toEqual([
      [popA, 'A'],
    ]);
    expect((await popsReceived(b, 1)).map((m) => [m.PopId, (m.ScriptData as Record<string, string>).Through])).toEqual([
      [popB, 'B'],
    ]);
    // AND a PopId of one stack is unknown to the other
    const elsewhere = await fetch(`${b.stack.endpoints.RestApiUrl}/pops/${popA}`, {
      headers: { Authorization: `Bearer ${b.token}` },
    });
    expect(elsewhere.status).toBe(404);
  });

  it('keeps each stack on its own settings: the claim window of one does not leak into the other', async () => {
    // GIVEN the same record popped for agent1 on both stacks
    for (const running of [a, b]) {
      expect(
        (await popThrough(running, { Username: 'agent1', Campaign: 'Sales', Reference: 'TWO-STACKS' })).status,
      ).toBe(202);
    }
    // WHEN another agent asks for it after B's 1-second window has passed
    await new Promise((r) => setTimeout(r, 1_300));
    const onA = await popThrough(a, { Username: 'agent2', Campaign: 'Sales', Reference: 'TWO-STACKS' });
    const onB = await popThrough(b, { Username: 'agent2', Campaign: 'Sales', Reference: 'TWO-STACKS' });
    // THEN A (60 s) still holds the record, B has let it go
    expect(onA.status).toBe(409);
    expect(((await onA.json()) as { Error: { Code: string } }).Error.Code).toBe('RecordOpenElsewhere');
    expect(onB.status).toBe(202);
  });
});
