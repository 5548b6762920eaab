/**
 * A burst through POST /pop on the shared e2e stack (execution environments, local/gateway/environments.ts): 250 pops
 * at 50 pops/s, one every 20 ms whatever the answers, to one agent held by one instance. Every pop answers 202 and
 * arrives exactly once with the PopId of its answer: a burst is absorbed (environments queue briefly for a warm one
 * and cold starts are bounded, local/README.md "Execution environments"), never refused with 500/502/503.
 */
import {
  connectInstance,
  createUser,
  getToken,
  pop,
  uniqueTenant,
  type ApiAnswer,
  type InstanceConnection,
} from './support';

jest.setTimeout(60_000);

const POPS = 250;
const INTERVAL_MS = 20; // 50 pops/s

let desk: InstanceConnection | undefined;
afterAll(async () => {
  await desk?.close();
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One pop every INTERVAL_MS, sent without waiting for the previous answers (an open loop, as a dialler sends). */
async function openLoop(token: string, tenant: string): Promise<ApiAnswer[]> {
  const answers: Promise<ApiAnswer>[] = [];
  const start = Date.now();
  for (let n = 0; n < POPS; n++) {
    const due = start + n * INTERVAL_MS;
    if (due > Date.now()) await pause(due - Date.now());
    answers.push(pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: `BURST-${tenant}-${n}` }));
  }
  return Promise.all(answers);
}

it('answers 250 pops sent at 50 pops/s with 202 and delivers each exactly once', async () => {
  const tenant = uniqueTenant();
  const instanceUser = await createUser(tenant, 'instance');
  desk = await connectInstance((await getToken(instanceUser.username, instanceUser.password)).IdToken, {
    instance: 'burst',
  });
  desk.send({ Action: 'Desktop', Agents: ['agent1'] });
  desk.send({ Action: 'Ping' });
  await desk.waitForMessage((m) => m?.Type === 'Pong');
  const caller = await createUser(tenant, 'api');
  const token = (await getToken(caller.username, caller.password)).IdToken;

  const answers = await openLoop(token, tenant);

  // Counted by status and error code, so a failure names what the refused pops got.
  const tally: Record<string, number> = {};
  for (const { status, body } of answers) {
    const key = [status, body.Error?.Code].filter(Boolean).join(' ');
    tally[key] = (tally[key] ?? 0) + 1;
  }
  expect(tally).toEqual({ '202': POPS });
  const popIds = answers.map((a) => a.body.Result.PopId as string);
  expect(new Set(popIds).size).toBe(POPS);
  const last = popIds[popIds.length - 1];
  await desk.waitForMessage((m) => m?.PopId === last, 20_000);
  await pause(300); // a doubled push would arrive right behind the first
  const arrived = desk.messages.filter((m: any) => m?.Type === 'Pop').map((m: any) => m.PopId as string);
  expect([...arrived].sort()).toEqual([...popIds].sort());
});
