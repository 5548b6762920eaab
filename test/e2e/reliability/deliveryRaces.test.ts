/**
 * A push of unknown outcome and Acks after a reconnect, on a local stack of this file's own (test/e2e/support/faultStack.ts):
 * - a slow consumer (its socket paused, pops of about 31 KB, 10 in flight): a push that times out may still arrive.
 *   It is answered 503 (retry safe), stays Sent with its record claim, its later Acks are applied, and the caller's
 *   retry gets the first PopId: every record reaches the Desktop under one PopId and every Ack is reflected;
 * - Acks sent on a new connection of the same instance after the socket dropped between Delivered and Opened are
 *   applied (the caller sees Opened); the same Ack from another instance of the tenant is still refused.
 */
import {
  callApi,
  connectInstance,
  createUser,
  dropConnection,
  getToken,
  pop,
  uniqueTenant,
  type InstanceConnection,
} from '../support';
import { startFaultStack, useStack, type FaultStack } from '../support/faultStack';

jest.setTimeout(180_000);

let stack: FaultStack;
const opened: InstanceConnection[] = [];

beforeAll(async () => {
  // The slow consumer's 200 pops and their retries take more than the default 60 s claim window on a loaded machine;
  // a claim that expires before the caller's retry makes that retry a new pop by design (docs/guarantees.md), which
  // is not what this file tests (seen in a run of 122 s under a two-core hog: one record arrived under two PopIds).
  stack = await startFaultStack({ claimWindowSeconds: 900 });
  useStack(stack);
});
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
  await stack?.stop();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function tenant(): Promise<{ callerToken: string; instanceToken: string }> {
  const name = uniqueTenant();
  const [caller, inst] = await Promise.all([createUser(name, 'api'), createUser(name, 'instance')]);
  const [c, i] = await Promise.all([
    getToken(caller.username, caller.password),
    getToken(inst.username, inst.password),
  ]);
  return { callerToken: c.IdToken, instanceToken: i.IdToken };
}

async function desk(token: string, instance: string, agents: string[]): Promise<InstanceConnection> {
  const connection = await connectInstance(token, { instance });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  const pongs = () => connection.messages.filter((m: any) => m?.Type === 'Pong').length;
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage(() => pongs() > 0, 10_000);
  return connection;
}

/** Acts as the reference instance does: Delivered, then Opened, for every pop received (a repeat is acked again). */
function acknowledgeEveryPop(connection: InstanceConnection): void {
  connection.socket.on('message', (data) => {
    const message = JSON.parse(data.toString());
    if (message.Type !== 'Pop') return;
    connection.send({ Action: 'Ack', PopId: message.PopId, Status: 'Delivered' });
    connection.send({ Action: 'Ack', PopId: message.PopId, Status: 'Opened' });
  });
}

const status = async (token: string, popId: string) =>
  (await callApi('GET', `/pops/${popId}`, { token })).body.Result?.Status;

describe('a slow consumer: pushes that time out but arrive', () => {
  it('answers 202 or a retry-safe 503, delivers every record once under one PopId, and reflects every Ack', async () => {
    const t = await tenant();
    const consumer = await desk(t.instanceToken, 'slow-desk', ['agent1']);
    acknowledgeEveryPop(consumer);
    consumer.socket.pause();
    const body = (n: number) => ({
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: `SLOW-CONSUMER-${n}`,
      ScriptData: { Notes: 'n'.repeat(15_000), History: 'h'.repeat(15_000) },
    });
    const answers = new Map<number, { status: number; popId?: string }>();
    let next = 0;
    const total = 200;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < total) {
          const n = next++;
          const answer = await pop(t.callerToken, body(n));
          answers.set(n, { status: answer.status, popId: answer.body.Result?.PopId });
        }
      }),
    );
    const statuses = [...answers.values()].map((a) => a.status);
    expect(statuses.filter((s) => s !== 202 && s !== 503)).toEqual([]);
    const unconfirmed = [...answers].filter(([, a]) => a.status === 503).map(([n]) => n);
    console.log(
      `slow consumer: ${statuses.length - unconfirmed.length} answered 202, ${unconfirmed.length} answered 503`,
    );
    expect(unconfirmed.length).toBeGreaterThan(0); // the scenario happened: some pushes went unanswered

    consumer.socket.resume();
    // The caller retries each 503 with the same request: it gets the first pop's PopId, pushed again if still unconfirmed.
    for (const n of unconfirmed) {
      let retry = await pop(t.callerToken, body(n));
      for (let attempt = 0; retry.status === 503 && attempt < 20; attempt++)
        retry = await pop(t.callerToken, body(n)).finally(() => pause(200));
      expect(retry.status).toBe(202);
      answers.set(n, { status: 202, popId: retry.body.Result.PopId });
    }

    // Every record reached the Desktop under exactly one PopId, the one the caller holds, and is Opened.
    const received = () => consumer.messages.filter((m: any) => m?.Type === 'Pop') as any[];
    await consumer.waitForMessage(() => new Set(received().map((m) => m.Reference)).size === total, 60_000);
    for (const [n, answer] of answers) {
      const popIds = new Set(
        received()
          .filter((m) => m.Reference === `SLOW-CONSUMER-${n}`)
          .map((m) => m.PopId),
      );
      expect([...popIds]).toEqual([answer.popId]);
    }
    for (let i = 0; i < 50 && (await status(t.callerToken, answers.get(total - 1)!.popId!)) !== 'Opened'; i++)
      await pause(100);
    const finals = await Promise.all([...answers.values()].map((a) => status(t.callerToken, a.popId!)));
    expect(finals.filter((s) => s !== 'Opened')).toEqual([]);
  });
});

describe('Acks sent on a new connection after a reconnect', () => {
  it('are applied for the same instance: the caller sees Opened; another instance of the tenant is still refused', async () => {
    const t = await tenant();
    const first = await desk(t.instanceToken, 'desk-1', ['agent1']);
    const accepted = await pop(t.callerToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'RECONNECT-1' });
    expect(accepted.status).toBe(202);
    const popId = accepted.body.Result.PopId;
    await first.waitForMessage((m) => m.Type === 'Pop' && m.PopId === popId);
    first.send({ Action: 'Ack', PopId: popId, Status: 'Delivered' });
    for (let i = 0; i < 50 && (await status(t.callerToken, popId)) !== 'Delivered'; i++) await pause(50);
    expect(await status(t.callerToken, popId)).toBe('Delivered');

    expect(await dropConnection(first.connectionId)).toBe(true);
    await first.closed;

    const intruder = await desk(t.instanceToken, 'desk-2', ['agent2']);
    intruder.send({ Action: 'Ack', PopId: popId, Status: 'Failed', Reason: 'NoLicence' });
    const refused: any = await intruder.waitForMessage((m) => m.Type === 'Error');
    expect(refused.Code).toBe('PopNotFound');

    const again = await desk(t.instanceToken, 'desk-1', ['agent1']);
    again.send({ Action: 'Ack', PopId: popId, Status: 'Opened' });
    for (let i = 0; i < 50 && (await status(t.callerToken, popId)) !== 'Opened'; i++) await pause(50);
    expect(await status(t.callerToken, popId)).toBe('Opened');
    expect(again.messages.filter((m: any) => m?.Type === 'Error')).toEqual([]);
  });
});
