/**
 * Faults, on a local stack of this file's own (test/e2e/support/faultStack.ts) whose dependencies the test stops and
 * starts on the same ports, without restarting the gateway:
 * - an instance lost without a close frame: its stale connection is removed on the next pop, which goes to the
 *   agent's other instance;
 * - DynamoDB stopped and restarted while pops are running: 503 ServiceUnavailable in the envelope (Retry-After), no
 *   other failure, no accepted pop lost, and recovery;
 * - the Cognito emulator down: GET /auth and POST /auth/refresh answer 502 in the envelope, while pops and WebSocket
 *   connections with already-issued tokens keep working (the authorizers hold the pool's keys);
 * - a slow `@connections` endpoint: the push is bounded (PUSH_TIMEOUT_MS), the pop answers 503 well inside API
 *   Gateway's 29 s and keeps its record (the push may have arrived), and the retry pushes the same PopId again, which
 *   arrives once.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { LOCAL_CREDENTIALS } from '../../../local/provision';
import { PUSH_TIMEOUT_MS } from '../../../lambdas/pops/pusher';
import { keys, TABLE_KEYS } from '../../../lambdas/store/tableSchema';
import {
  basic,
  callApi,
  connectInstance,
  createUser,
  dropConnection,
  getToken,
  handshakeStatus,
  pop,
  uniqueTenant,
  type InstanceConnection,
  type TestUser,
} from '../support';
import { startFaultStack, useStack, type FaultStack } from '../support/faultStack';

jest.setTimeout(120_000);

let stack: FaultStack;
let db: DynamoDBDocumentClient;
const opened: InstanceConnection[] = [];
const timings: string[] = [];

beforeAll(async () => {
  stack = await startFaultStack();
  useStack(stack);
  db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: stack.endpoints.DynamoDbEndpoint,
      region: stack.endpoints.Region,
      credentials: LOCAL_CREDENTIALS,
    }),
  );
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  db?.destroy();
  await stack?.stop();
  console.log(`fault timings:\n${timings.join('\n')}`);
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function settled(connection: InstanceConnection, timeoutMs = 10_000): Promise<void> {
  const pongs = () => connection.messages.filter((m: any) => m?.Type === 'Pong').length;
  const before = pongs();
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage(() => pongs() > before, timeoutMs);
}

async function instance(token: string, name: string, agents: string[]): Promise<InstanceConnection> {
  const connection = await connectInstance(token, { instance: name });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  await settled(connection);
  return connection;
}

const popsOn = (connection: InstanceConnection) => connection.messages.filter((m: any) => m?.Type === 'Pop') as any[];

async function timed<T>(label: string, call: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = Date.now();
  const value = await call();
  const ms = Date.now() - started;
  timings.push(`  ${label}: ${ms} ms`);
  return { value, ms };
}

function expectUnavailable(answer: { status: number; headers: Headers; body: any }) {
  expect(answer.status).toBe(503);
  expect(answer.body).toMatchObject({
    Success: false,
    Result: null,
    RequestId: expect.any(String),
    Error: { Code: 'ServiceUnavailable' },
  });
  expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
}

interface Tenant {
  readonly caller: TestUser;
  readonly callerToken: string;
  readonly instanceToken: string;
}

async function tenant(): Promise<Tenant> {
  const name = uniqueTenant();
  const [caller, inst] = await Promise.all([createUser(name, 'api'), createUser(name, 'instance')]);
  const [callerTokens, instanceTokens] = await Promise.all([
    getToken(caller.username, caller.password),
    getToken(inst.username, inst.password),
  ]);
  return { caller, callerToken: callerTokens.IdToken, instanceToken: instanceTokens.IdToken };
}

describe('an instance lost without a close frame', () => {
  it("is removed from the table on the next pop, which goes to the agent's other instance", async () => {
    const t = await tenant();
    const lost = await instance(t.instanceToken, 'desk-1', ['agent1', 'agent2']);
    const other = await instance(t.instanceToken, 'desk-2', ['agent1']);
    const owned = async (connectionId: string) =>
      (
        await db.send(
          new QueryCommand({
            TableName: stack.endpoints.TableName,
            IndexName: TABLE_KEYS.byConnectionIndex.name,
            KeyConditionExpression: '#pk = :pk',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.byConnectionIndex.partitionKey },
            ExpressionAttributeValues: { ':pk': keys.connectionIndex(connectionId) },
          }),
        )
      ).Items ?? [];
    expect(await owned(lost.connectionId)).toHaveLength(3); // the connection and its two agents

    expect(await dropConnection(lost.connectionId)).toBe(true);
    expect((await lost.closed).code).toBe(1006);
    expect(await owned(lost.connectionId)).toHaveLength(3); // no $disconnect arrived: still there

    const accepted = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'STALE-1' });
    expect(accepted.status).toBe(202);
    await other.waitForMessage((m) => m.Type === 'Pop' && m.PopId === accepted.body.Result.PopId);
    expect(await owned(lost.connectionId)).toEqual([]);
    expect(await owned(other.connectionId)).toHaveLength(2);

    // agent2 was only on the lost instance: now nobody holds it, and the caller is told so.
    const orphan = await pop(t.callerToken, { Username: 'agent2', Campaign: 'Sales', Reference: 'STALE-2' });
    expect(orphan.status).toBe(404);
    expect(orphan.body.Error?.Code).toBe('AgentNotOnDesktop');
  });
});

describe('DynamoDB stopped and restarted mid-run', () => {
  it('answers 503 ServiceUnavailable (retryable) while it is down, loses no accepted pop, and recovers', async () => {
    const t = await tenant();
    const desk = await instance(t.instanceToken, 'desk-1', ['agent1']);
    const first = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'DDB-0' });
    expect(first.status).toBe(202);

    // Pops keep coming from 4 callers while the table goes away and comes back.
    const statuses: Record<number, number> = {};
    const accepted: string[] = [];
    let running = true;
    let sequence = 0;
    const callers = Array.from({ length: 4 }, async () => {
      while (running) {
        const n = ++sequence;
        const answer = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: `DDB-${n}` });
        statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
        if (answer.status === 202) accepted.push(answer.body.Result.PopId);
        else if (answer.status === 503) await pause(50);
      }
    });

    await pause(400);
    await stack.stopDynamoDb();
    try {
      const down = await timed('POST /pop with DynamoDB down', () =>
        pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'DDB-X' }),
      );
      expectUnavailable(down.value);
      expect(down.ms).toBeLessThan(29_000);
      const status = await timed('GET /pops with DynamoDB down', () =>
        callApi('GET', `/pops/${first.body.Result.PopId}`, { token: t.callerToken }),
      );
      expectUnavailable(status.value);
      // The WebSocket stays open: a message that needs the table gets an Error, a Ping still gets its Pong.
      desk.send({ Action: 'Login', Username: 'agent9' });
      await settled(desk);
      expect(desk.messages.filter((m: any) => m?.Type === 'Error').map((m: any) => m.Code)).toEqual([
        'ServiceUnavailable',
      ]);
      await pause(300);
    } finally {
      await stack.startDynamoDb();
    }
    await pause(400);
    running = false;
    await Promise.all(callers);

    // Nothing but 202 and 503, both seen; every accepted pop arrived exactly once.
    expect(Object.keys(statuses).sort()).toEqual(['202', '503']);
    await settled(desk);
    const received = popsOn(desk).map((m) => m.PopId);
    for (const popId of [first.body.Result.PopId, ...accepted])
      expect(received.filter((id) => id === popId)).toHaveLength(1);
    timings.push(`  pop stream through the outage: ${JSON.stringify(statuses)}, ${received.length} pops received`);

    // Recovered without a gateway restart: the data is still there and new pops go through.
    const after = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'DDB-AFTER' });
    expect(after.status).toBe(202);
    await desk.waitForMessage((m) => m.Type === 'Pop' && m.PopId === after.body.Result.PopId);
    expect((await callApi('GET', `/pops/${first.body.Result.PopId}`, { token: t.callerToken })).status).toBe(200);
  });
});

describe('the Cognito emulator down', () => {
  it('answers GET /auth and POST /auth/refresh with 502 in the envelope, while issued tokens keep working', async () => {
    const t = await tenant();
    const desk = await instance(t.instanceToken, 'desk-1', ['agent1']);
    const refreshToken = (await getToken(t.caller.username, t.caller.password)).RefreshToken!;
    expect((await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'COG-0' })).status).toBe(202);

    await stack.stopCognito();
    try {
      const auth = await timed('GET /auth with Cognito down', () =>
        callApi('GET', '/auth', { headers: { Authorization: basic(t.caller.username, t.caller.password) } }),
      );
      const refresh = await timed('POST /auth/refresh with Cognito down', () =>
        callApi('POST', '/auth/refresh', { body: { RefreshToken: refreshToken } }),
      );
      for (const answer of [auth.value, refresh.value]) {
        expect([502, 503]).toContain(answer.status);
        expect(answer.body).toMatchObject({
          Success: false,
          Result: null,
          RequestId: expect.any(String),
          Error: { Code: expect.stringMatching(/^(UpstreamError|ServiceUnavailable)$/) },
        });
      }
      expect(auth.ms).toBeLessThan(29_000);

      const accepted = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'COG-1' });
      expect(accepted.status).toBe(202);
      await desk.waitForMessage((m) => m.Type === 'Pop' && m.PopId === accepted.body.Result.PopId);
      // A Scripting instance reconnecting with its token is let in too (the WebSocket authorizer holds the keys).
      expect(await handshakeStatus(t.instanceToken, { instance: 'desk-2' })).toBe(101);
    } finally {
      await stack.startCognito();
    }
    const again = await callApi('GET', '/auth', {
      headers: { Authorization: basic(t.caller.username, t.caller.password) },
    });
    expect(again.status).toBe(200);
  });
});

describe('a slow @connections endpoint', () => {
  it('bounds the push: a pop answers 503 well inside 29 s, keeps its record, and the retry delivers the same pop once', async () => {
    const t = await tenant();
    const desk = await instance(t.instanceToken, 'desk-1', ['agent1']);
    const body = { Username: 'agent1', Campaign: 'Sales', Reference: 'SLOW-1' };

    await stack.setManagementDelay(800);
    const slow = await timed('POST /pop, @connections 0.8 s slow', () =>
      pop(t.callerToken, { ...body, Reference: 'SLOW-0' }),
    );
    expect(slow.value.status).toBe(202);
    expect(slow.ms).toBeGreaterThanOrEqual(700);

    await stack.setManagementDelay(20_000);
    let stuckMessage = '';
    try {
      const stuck = await timed('POST /pop, @connections 20 s slow', () => pop(t.callerToken, body));
      expectUnavailable(stuck.value);
      stuckMessage = stuck.value.body.Error?.Message ?? '';
      expect(stuck.ms).toBeGreaterThanOrEqual(PUSH_TIMEOUT_MS - 100);
      expect(stuck.ms).toBeLessThan(29_000);
    } finally {
      await stack.setManagementDelay(0);
    }

    // The push's outcome is unknown (here the local hook dropped it): the pop kept its record claim and stays Sent, and
    // the caller's retry of the same record pushes the same PopId again; it arrives once.
    const firstPopId = /Pop (\S+) was pushed/.exec(stuckMessage)?.[1];
    expect(firstPopId).toBeDefined();
    expect((await callApi('GET', `/pops/${firstPopId}`, { token: t.callerToken })).body.Result.Status).toBe('Sent');
    const retry = await pop(t.callerToken, body);
    expect(retry.status).toBe(202);
    expect(retry.body.Result.PopId).toBe(firstPopId);
    await desk.waitForMessage((m) => m.Type === 'Pop' && m.PopId === retry.body.Result.PopId);
    expect(popsOn(desk).filter((m) => m.Reference === 'SLOW-1')).toHaveLength(1);
  });
});
