/**
 * A property of held pops (lambdas/pops/heldPops.ts) over random interleavings of hold, login, logout, Desktop lists,
 * recall, the clock passing deadlines (and the hold timer firing) and retries racing each other, against a real table
 * (in-process dynalite): every held pop ends in exactly one status that is not Held, none is pushed twice, none is
 * pushed at or after its deadline, one agent's pops are pushed in the order they were accepted, a Sent pop was pushed
 * once and an Expired one never.
 */
import fc from 'fast-check';
import { deliverHeldFor, deliverHeldOnDesktop, expireHeld, popOrHold } from '../../../lambdas/pops/heldPops';
import type { HeldTurn } from '../../../lambdas/pops/heldPopStore';
import { recallPop } from '../../../lambdas/pops/recall';
import { startTestTable, type TestTable } from '../support/dynamoTable';
import { heldTenant } from '../support/tenantSetup';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

const AGENTS = ['ann', 'bob'] as const;
type Agent = (typeof AGENTS)[number];

type Op =
  | { kind: 'hold'; agent: Agent; reference?: string; seconds: number }
  | { kind: 'login' | 'logout'; agent: Agent }
  | { kind: 'desktop' }
  | { kind: 'recall'; index: number }
  | { kind: 'tick'; ms: number }
  | { kind: 'race'; agent: Agent };

const agent = fc.constantFrom(...AGENTS);
const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('hold' as const),
    agent,
    reference: fc.option(fc.constantFrom('R-1', 'R-2'), { nil: undefined }),
    seconds: fc.integer({ min: 1, max: 4 }),
  }),
  fc.record({ kind: fc.constantFrom('login' as const, 'logout' as const), agent }),
  fc.constant({ kind: 'desktop' as const }),
  fc.record({ kind: fc.constant('recall' as const), index: fc.nat(20) }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.integer({ min: 0, max: 2_500 }) }),
  fc.record({ kind: fc.constant('race' as const), agent }),
);

let sequence = 0;

async function world() {
  const pushes: { popId: string; at: number }[] = [];
  const timers: HeldTurn[] = [];
  const setup = await heldTenant(table, `prop-${++sequence}`, (_, message, at) => {
    if (message.Type === 'Pop') pushes.push({ popId: String(message.PopId), at });
  });
  return { ...setup, pushes, timers };
}

type World = Awaited<ReturnType<typeof world>>;

/** The hold timer: every timer whose deadline has passed fires (more than once is allowed: SQS is at-least-once). */
async function fireDueTimers(w: World): Promise<void> {
  await Promise.all(w.timers.filter((t) => t.holdUntil <= w.clock.now).map((t) => expireHeld(w.deps, t)));
}

async function run(w: World, step: Op, held: Map<string, { agent: Agent; holdUntil: number }>) {
  const { deps, tenant } = w;
  switch (step.kind) {
    case 'hold': {
      const reference = step.reference === undefined ? {} : { Reference: step.reference };
      const request = { Username: step.agent, Campaign: 'Sales', ...reference, HoldSeconds: step.seconds };
      const outcome = await popOrHold(deps, tenant, request);
      if (outcome.kind !== 'held' || held.has(outcome.popId)) return;
      held.set(outcome.popId, { agent: step.agent, holdUntil: w.clock.now + step.seconds * 1000 });
      // Its stream record starts its timer (lambdas/pops/holdTimer.ts): the turn as stored, unless already delivered.
      const turn = (await deps.held.turnsOf(tenant, step.agent)).find((t) => t.popId === outcome.popId);
      if (turn) w.timers.push(turn);
      return;
    }
    case 'login':
      await w.connections.addPresence(w.conn, step.agent);
      await deliverHeldFor(deps, tenant, step.agent);
      return;
    case 'logout':
      return w.connections.removePresence(w.conn, step.agent);
    case 'desktop':
      await deliverHeldOnDesktop(deps, tenant);
      return;
    case 'recall': {
      const ids = [...held.keys()];
      if (ids.length > 0) await recallPop(deps, tenant, ids[step.index % ids.length]!, deps.log);
      return;
    }
    case 'tick':
      w.clock.now += step.ms;
      return fireDueTimers(w);
    case 'race':
      // Two instances reporting the agent at once, and the same message retried.
      await w.connections.addPresence(w.conn, step.agent);
      await Promise.all([
        deliverHeldFor(deps, tenant, step.agent),
        deliverHeldFor(deps, tenant, step.agent),
        deliverHeldOnDesktop(deps, tenant),
      ]);
  }
}

async function check(w: World, held: Map<string, { agent: Agent; holdUntil: number }>) {
  w.clock.now += 10_000;
  await fireDueTimers(w);
  const statuses = new Map<string, string | undefined>();
  for (const id of held.keys()) statuses.set(id, (await w.deps.pops.getPop(w.tenant, id))?.Status);
  for (const [id, { holdUntil }] of held) {
    const mine = w.pushes.filter((p) => p.popId === id);
    const status = statuses.get(id);
    expect(['Sent', 'Failed', 'Recalled', 'Expired']).toContain(status);
    // Sent: pushed once. Expired or Failed (a check when the agent appeared): never. Recalled: before or after its push.
    if (status === 'Recalled') expect(mine.length).toBeLessThanOrEqual(1);
    else expect({ id, status, pushes: mine.length }).toEqual({ id, status, pushes: status === 'Sent' ? 1 : 0 });
    for (const p of mine) expect(p.at).toBeLessThan(holdUntil);
  }
  for (const name of AGENTS) {
    const order = w.pushes.filter((p) => held.get(p.popId)?.agent === name).map((p) => p.popId);
    expect(order).toEqual([...order].sort());
  }
}

test('every held pop ends once, is pushed at most once, before its deadline, in its agent order', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
      const w = await world();
      const held = new Map<string, { agent: Agent; holdUntil: number }>();
      for (const step of ops) await run(w, step, held);
      await check(w, held);
    }),
    { numRuns: 30 },
  );
}, 120_000);
