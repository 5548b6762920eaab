/**
 * Held pops (lambdas/pops/heldPops.ts, heldPopStore.ts, holdExpiry.ts) against a real table (in-process dynalite), on
 * a clock the test moves: hold, delivery when the agent appears (in order, once), expiry, recall, repeats.
 */
import type { SQSEvent } from 'aws-lambda';
import { deliverHeldFor, deliverHeldOnDesktop, expireHeld, popOrHold } from '../../../lambdas/pops/heldPops';
import type { HeldTurn } from '../../../lambdas/pops/heldPopStore';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { EventStore } from '../../../lambdas/events/eventStore';
import { makePopStreamHandler } from '../../../lambdas/events/streamHandler';
import { makeHoldExpiryHandler } from '../../../lambdas/pops/holdExpiry';
import { queueHoldTimer } from '../../../lambdas/pops/holdTimer';
import { keys } from '../../../lambdas/store/tableSchema';
import { asOf } from '../../../lambdas/pops/popStore';
import { recallPop } from '../../../lambdas/pops/recall';
import type { PopRequest } from '../../../contract/rest';
import { startTestTable, type TestTable } from '../support/dynamoTable';
import { heldTenant } from '../support/tenantSetup';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

let sequence = 0;

/** A tenant with one instance connection that holds no agent yet, a clock at `start` and a recording pusher. */
async function heldSetup() {
  const pushed: { connectionId: string; popId: string; at: number; message: Record<string, unknown> }[] = [];
  const { tenant, clock, connections, conn, deps } = await heldTenant(
    table,
    `held-${++sequence}`,
    (connectionId, message, at) => pushed.push({ connectionId, popId: String(message.PopId), at, message }),
  );
  const login = async (agent: string) => {
    await connections.addPresence(conn, agent);
    return deliverHeldFor(deps, tenant, agent);
  };
  const logout = (agent: string) => connections.removePresence(conn, agent);
  const pop = (request: PopRequest) => popOrHold(deps, tenant, request);
  const status = async (popId: string) => (await deps.pops.getPop(tenant, popId))?.Status;
  /** The held pop's turn, as its timer carries it. */
  const turnOf = async (agent: string, popId: string): Promise<HeldTurn> =>
    (await deps.held.turnsOf(tenant, agent)).find((t) => t.popId === popId)!;
  return { tenant, clock, conn, connections, deps, pushed, turnOf, login, logout, pop, status };
}

const popIdOf = (outcome: unknown) => (outcome as { popId: string }).popId;

describe('POST /pop for an absent agent', () => {
  it('without HoldSeconds: AgentNotOnDesktop as before; with it: held, its turn stored, nothing pushed', async () => {
    const { pop, pushed, turnOf, status, clock } = await heldSetup();
    expect(await pop({ Username: 'ann', Campaign: 'Sales' })).toMatchObject({ code: 'AgentNotOnDesktop' });
    const held = await pop({ Username: 'ann', Campaign: 'Sales', HoldSeconds: 30 });
    expect(held).toMatchObject({ kind: 'held' });
    expect(await status(popIdOf(held))).toBe('Held');
    expect(await turnOf('ann', popIdOf(held))).toMatchObject({ acceptedAt: clock.now, holdUntil: clock.now + 30_000 });
    expect(pushed).toEqual([]);
  });

  it("the stream function starts the held pop's timer from the pop's stream record (its Held event)", async () => {
    const { pop, turnOf, tenant } = await heldSetup();
    const id = popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', Reference: 'R-7', HoldSeconds: 30 }));
    const { Item } = await table.db.send(new GetCommand({ TableName: table.tableName, Key: keys.pop(tenant, id) }));
    const started: HeldTurn[] = [];
    const handler = makePopStreamHandler({
      events: new EventStore(table.db, table.tableName),
      clock: { now: Date.now },
      retentionMs: 86_400_000,
      holdTimer: { start: async (turn) => void started.push(turn) },
    });
    const record = {
      eventName: 'INSERT',
      dynamodb: { Keys: marshall(keys.pop(tenant, id)), NewImage: marshall(Item!), SequenceNumber: '1' },
    };
    expect(await handler({ Records: [record] } as unknown as DynamoDBStreamEvent)).toEqual({ batchItemFailures: [] });
    expect(started).toEqual([await turnOf('ann', id)]);
  });

  it('to a present agent HoldSeconds changes nothing: sent at once', async () => {
    const { pop, login, pushed, status } = await heldSetup();
    await login('ann');
    const sent = await pop({ Username: 'ann', Campaign: 'Sales', HoldSeconds: 30 });
    expect(sent).toMatchObject({ kind: 'accepted' });
    expect(await status(popIdOf(sent))).toBe('Sent');
    expect(pushed).toHaveLength(1);
  });

  it('a repeat for the same agent and record while held gets the same PopId; after delivery it is a new pop', async () => {
    const { pop, login, pushed } = await heldSetup();
    const request = { Username: 'ann', Campaign: 'Sales', Reference: 'R-1', HoldSeconds: 60 };
    const first = popIdOf(await pop(request));
    expect(popIdOf(await pop(request))).toBe(first);
    expect(popIdOf(await pop({ ...request, Username: 'bob' }))).not.toBe(first);
    await login('ann');
    expect(pushed.map((p) => p.popId)).toEqual([first]);
  });
});

describe('delivery when the agent appears', () => {
  it("delivers the agent's held pops in the order they were accepted, ScriptData as given, each once", async () => {
    const { pop, login, pushed, status, clock } = await heldSetup();
    const ids: string[] = [];
    for (const n of [1, 2, 3]) {
      ids.push(popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', ScriptData: { n }, HoldSeconds: 60 })));
      clock.now += 1;
    }
    await pop({ Username: 'bob', Campaign: 'Sales', HoldSeconds: 60 });
    expect(await login('ann')).toBe(3);
    expect(pushed.map((p) => p.popId)).toEqual(ids);
    expect(pushed.map((p) => p.message.ScriptData)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await Promise.all(ids.map(status))).toEqual(['Sent', 'Sent', 'Sent']);
    // The message again (a retry, or a second Login): nothing more.
    expect(await login('ann')).toBe(0);
    expect(pushed).toHaveLength(3);
  });

  it('two callers at once (two instances, or a retry racing the first): each pop pushed once, in order', async () => {
    const { pop, connections, conn, deps, tenant, pushed, clock } = await heldSetup();
    const ids: string[] = [];
    for (let n = 0; n < 5; n++) {
      ids.push(popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', HoldSeconds: 60 })));
      clock.now += 1;
    }
    await connections.addPresence(conn, 'ann');
    await Promise.all([deliverHeldFor(deps, tenant, 'ann'), deliverHeldOnDesktop(deps, tenant)]);
    expect(pushed.map((p) => p.popId)).toEqual(ids);
  });

  it('a Desktop list with nothing held costs one read', async () => {
    const { deps, tenant } = await heldSetup();
    const send = jest.spyOn(table.db, 'send');
    try {
      expect(await deliverHeldOnDesktop(deps, tenant)).toBe(0);
      expect(send).toHaveBeenCalledTimes(1);
    } finally {
      send.mockRestore();
    }
  });

  it('a record another agent has open makes the held pop Failed (RecordOpenElsewhere), not pushed', async () => {
    const { pop, login, pushed, status, deps, tenant } = await heldSetup();
    await login('bob');
    await popOrHold(deps, tenant, { Username: 'bob', Campaign: 'Sales', Reference: 'R-9' });
    const held = popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', Reference: 'R-9', HoldSeconds: 60 }));
    await login('ann');
    expect(await status(held)).toBe('Failed');
    expect((await deps.pops.getPop(tenant, held))?.Reason).toBe('RecordOpenElsewhere');
    expect(pushed.map((p) => p.popId)).not.toContain(held);
  });
});

describe('expiry and recall', () => {
  it('past its deadline a held pop is never pushed: it reads Expired at once and is stored Expired by its timer', async () => {
    const { pop, login, pushed, status, clock, deps, turnOf, tenant } = await heldSetup();
    const id = popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', HoldSeconds: 5 }));
    const turn = await turnOf('ann', id);
    expect(await expireHeld(deps, turn)).toBe('notDue');
    clock.now += 5_000;
    const read = (await deps.pops.getPop(tenant, id))!;
    expect(asOf(read, clock.now)).toMatchObject({ Status: 'Expired', Reason: 'HoldExpired' });
    expect(await login('ann')).toBe(0);
    expect(pushed).toEqual([]);
    expect(await status(id)).toBe('Expired');
    // Stored as GET showed it: Expired at the deadline (the Expired event's OccurredAt).
    expect((await deps.pops.getPop(tenant, id))?.UpdatedAt).toBe(new Date(turn.holdUntil).toISOString());
    expect(await expireHeld(deps, turn)).toBe('notHeld');
  });

  it('the timer handler hides a message not yet due until the deadline, and expires one that is', async () => {
    const { pop, clock, deps, status, tenant } = await heldSetup();
    const id = popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', HoldSeconds: 50_000 }));
    const sent: { body: string; delaySeconds?: number }[] = [];
    const timer = queueHoldTimer({ sendBatch: async (_, m) => (sent.push(...m), { failed: [] }) }, 'q', deps.now);
    const [held] = await deps.held.turnsOf(tenant, 'ann');
    await timer.start(held!);
    expect(sent[0]!.delaySeconds).toBe(900);
    const hidden: number[] = [];
    const handler = makeHoldExpiryHandler({
      ...deps,
      queue: { changeVisibility: async (_, __, seconds) => void hidden.push(seconds) },
      queueUrl: 'q',
    });
    const event = { Records: [{ messageId: 'm', receiptHandle: 'h', body: sent[0]!.body }] } as SQSEvent;
    expect(await handler(event)).toEqual({ batchItemFailures: [{ itemIdentifier: 'm' }] });
    expect(hidden).toEqual([43_200]);
    clock.now += 50_000_000;
    expect(await handler(event)).toEqual({ batchItemFailures: [] });
    expect(await status(id)).toBe('Expired');
  });

  it('a recalled held pop is Recalled and never delivered', async () => {
    const { pop, login, pushed, status, deps, tenant } = await heldSetup();
    const id = popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', Reference: 'R-2', HoldSeconds: 60 }));
    const recalled = await recallPop(deps, tenant, id, deps.log);
    expect(recalled).toMatchObject({ kind: 'recalled', told: 0 });
    expect(await login('ann')).toBe(0);
    expect(pushed).toEqual([]);
    expect(await status(id)).toBe('Recalled');
    // The record lock followed the pop: the same record held again is a new pop.
    expect(popIdOf(await pop({ Username: 'ann', Campaign: 'Sales', Reference: 'R-2', HoldSeconds: 60 }))).not.toBe(id);
  });
});
