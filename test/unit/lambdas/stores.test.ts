import { acknowledge as applyAck, type AckOutcome } from '../../../lambdas/pops/acknowledge';
import { PopStore, type NewPop } from '../../../lambdas/pops/popStore';
import type { Ack } from '../../../lambdas/pops/status';
import { ConnectionStore, type ConnectionItem } from '../../../lambdas/presence/connectionStore';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { startTestTable, type TestTable } from '../support/dynamoTable';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

let sequence = 0;
const unique = (prefix: string) => `${prefix}-${++sequence}`;

function connection(tenant: string, overrides: Partial<ConnectionItem> = {}): Omit<ConnectionItem, 'expiresAt'> {
  return {
    connectionId: unique('Xf+GL/w='),
    tenant,
    username: 'inst',
    instance: 'main',
    connectedAt: Date.now(),
    ...overrides,
  };
}

describe('ConnectionStore', () => {
  it('finds an agent only on the connections of the same tenant that hold its Desktop', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const tenantA = unique('a');
    const a1 = await store.putConnection(connection(tenantA));
    const a2 = await store.putConnection(connection(tenantA));
    const b1 = await store.putConnection(connection(unique('b')));
    await store.replaceDesktop(a1, ['agent1', 'agent2']);
    await store.replaceDesktop(a2, ['agent1']);
    await store.replaceDesktop(b1, ['agent1']);

    const holders = await store.connectionsForAgent(tenantA, 'agent1');
    expect(holders.map((h) => h.connectionId).sort()).toEqual([a1.connectionId, a2.connectionId].sort());
    expect((await store.connectionsForAgent(tenantA, 'agent2')).map((h) => h.connectionId)).toEqual([a1.connectionId]);
  });

  it('replaces the Desktop list: agents no longer listed are removed, new ones added', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.replaceDesktop(c, ['x', 'y']);
    await store.replaceDesktop(c, ['y', 'z']);
    expect((await store.agentsOf(c.connectionId)).sort()).toEqual(['y', 'z']);
    expect(await store.connectionsForAgent(tenant, 'x')).toEqual([]);
  });

  it('adds and removes single agents on Login and Logout', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.addPresence(c, 'late');
    expect(await store.connectionsForAgent(tenant, 'late')).toHaveLength(1);
    await store.removePresence(c, 'late');
    expect(await store.connectionsForAgent(tenant, 'late')).toEqual([]);
  });

  it('removes a connection with everything it owns, in batches past 25 items', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    const agents = Array.from({ length: 40 }, (_, i) => `agent${i}`);
    await store.replaceDesktop(c, agents);
    // 40 presence items, the connection's 40 held-agent items and the connection item.
    expect(await store.removeConnection(c.connectionId)).toBe(81);
    expect(await store.getConnection(c.connectionId)).toBeUndefined();
    expect(await store.connectionsForAgent(tenant, 'agent39')).toEqual([]);
  });

  it('ignores presence whose TTL has passed even though the item still exists', async () => {
    const tenant = unique('t');
    const writer = new ConnectionStore(table.db, table.tableName);
    const c = await writer.putConnection(connection(tenant, { connectedAt: Date.now() }));
    await writer.replaceDesktop(c, ['agent1']);
    const threeHoursLater = new ConnectionStore(table.db, table.tableName, () => Date.now() + 3 * 3600 * 1000);
    expect(await threeHoursLater.connectionsForAgent(tenant, 'agent1')).toEqual([]);
    expect(await threeHoursLater.getConnection(c.connectionId)).toBeUndefined();
  });
});

/**
 * A client on the same table whose ByConnection index has not caught up with any write yet (GSIs are eventually
 * consistent in DynamoDB; dynalite's are immediate), recording each command it sends.
 */
function indexLagging(db: TestTable['db']): { db: TestTable['db']; sent: QueryCommand['input'][] } {
  const sent: QueryCommand['input'][] = [];
  const send = (command: { input: unknown }) => {
    if (command instanceof QueryCommand) {
      sent.push(command.input);
      if (command.input.IndexName) return Promise.resolve({ Items: [] });
    }
    return db.send(command as never);
  };
  return { db: { send } as unknown as TestTable['db'], sent };
}

describe('ConnectionStore while the ByConnection index lags (DynamoDB GSIs are eventually consistent)', () => {
  it('reads presence from the base table, strongly consistent: a pop right after a Login finds the agent', async () => {
    const lagging = indexLagging(table.db);
    const store = new ConnectionStore(lagging.db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.addPresence(c, 'agent1');
    expect(await store.connectionsForAgent(tenant, 'agent1')).toEqual([
      { connectionId: c.connectionId, instance: 'main', username: c.username },
    ]);
    const presenceQuery = lagging.sent.find((input) => !input.IndexName)!;
    expect(presenceQuery).toMatchObject({ ConsistentRead: true });
  });

  it('a Desktop list right after a Login removes the agent the index does not show yet', async () => {
    const store = new ConnectionStore(indexLagging(table.db).db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.replaceDesktop(c, ['a', 'b']);
    await store.addPresence(c, 'late');
    await store.replaceDesktop(c, ['b']);
    expect(await store.connectionsForAgent(tenant, 'a')).toEqual([]);
    expect(await store.connectionsForAgent(tenant, 'late')).toEqual([]);
    expect(await store.connectionsForAgent(tenant, 'b')).toHaveLength(1);
  });

  it('a Logout then a Desktop list naming the agent again puts it back, whatever the index still shows', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.replaceDesktop(c, ['a']);
    await store.removePresence(c, 'a');
    await new ConnectionStore(indexLagging(table.db).db, table.tableName).replaceDesktop(c, ['a']);
    expect(await store.connectionsForAgent(tenant, 'a')).toHaveLength(1);
  });

  it('a disconnect right after a Login leaves no presence behind', async () => {
    const store = new ConnectionStore(indexLagging(table.db).db, table.tableName);
    const tenant = unique('t');
    const c = await store.putConnection(connection(tenant));
    await store.replaceDesktop(c, ['a']);
    await store.addPresence(c, 'late');
    // Two presence items, the connection's two held-agent items and the connection item.
    expect(await store.removeConnection(c.connectionId)).toBe(5);
    expect(await store.connectionsForAgent(tenant, 'a')).toEqual([]);
    expect(await store.connectionsForAgent(tenant, 'late')).toEqual([]);
  });

  it('a Login for a connection already removed creates no connection item (no stub without TTL)', async () => {
    const store = new ConnectionStore(table.db, table.tableName);
    const c = await store.putConnection(connection(unique('t')));
    await store.removeConnection(c.connectionId);
    await store.addPresence(c, 'late');
    expect(await store.getConnection(c.connectionId)).toBeUndefined();
  });
});

describe('PopStore record claims', () => {
  it('of 50 simultaneous claims of one record for 50 agents exactly one wins', async () => {
    const store = new PopStore(table.db, table.tableName);
    const tenant = unique('t');
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        store.claimRecord({
          tenant,
          campaign: 'Sales',
          reference: 'R1',
          username: `agent${i}`,
          popId: `pop${i}`,
          windowMs: 60_000,
        }),
      ),
    );
    expect(outcomes.filter((o) => o.kind === 'claimed')).toHaveLength(1);
    expect(outcomes.filter((o) => o.kind === 'heldByOtherUser')).toHaveLength(49);
  });

  it('gives the same agent the first PopId inside the window', async () => {
    const store = new PopStore(table.db, table.tableName);
    const tenant = unique('t');
    const claim = { tenant, campaign: 'Sales', reference: 'R1', username: 'agent1', windowMs: 60_000 };
    expect(await store.claimRecord({ ...claim, popId: 'first' })).toEqual({ kind: 'claimed' });
    expect(await store.claimRecord({ ...claim, popId: 'second' })).toEqual({
      kind: 'heldBySameUser',
      popId: 'first',
      claimedAt: expect.any(Number),
    });
  });

  it('lets another agent claim the record once the window has passed or the claim was released', async () => {
    let now = Date.now();
    const store = new PopStore(table.db, table.tableName, () => now);
    const tenant = unique('t');
    const claim = { tenant, campaign: 'Sales', reference: 'R1', windowMs: 60_000 };
    await store.claimRecord({ ...claim, username: 'a', popId: 'p1' });
    now += 61_000;
    expect(await store.claimRecord({ ...claim, username: 'b', popId: 'p2' })).toEqual({ kind: 'claimed' });
    await store.releaseClaim(tenant, 'Sales', 'R1', 'p1'); // not p1's any more: changes nothing
    expect(await store.claimRecord({ ...claim, username: 'c', popId: 'p3' })).toEqual({ kind: 'heldByOtherUser' });
    await store.releaseClaim(tenant, 'Sales', 'R1', 'p2');
    expect(await store.claimRecord({ ...claim, username: 'c', popId: 'p3' })).toEqual({ kind: 'claimed' });
  });

  it('keeps the same record of two tenants apart', async () => {
    const store = new PopStore(table.db, table.tableName);
    const base = { campaign: 'Sales', reference: 'R1', windowMs: 60_000 };
    expect(await store.claimRecord({ ...base, tenant: unique('a'), username: 'x', popId: '1' })).toEqual({
      kind: 'claimed',
    });
    expect(await store.claimRecord({ ...base, tenant: unique('b'), username: 'y', popId: '2' })).toEqual({
      kind: 'claimed',
    });
  });
});

/** An Ack applied as the Ack handler applies it: `next` (status.ts) decides, the store persists. */
const acknowledgeWith = (store: PopStore) => ({
  acknowledge: (ack: Ack & { tenant: string; popId: string }): Promise<AckOutcome> => applyAck(store, ack),
});

describe('PopStore acknowledgements', () => {
  const pop = (tenant: string, popId: string): NewPop => ({
    tenant,
    PopId: popId,
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'R1',
    Status: 'Sent',
    CreatedAt: new Date().toISOString(),
    UpdatedAt: new Date().toISOString(),
    sentTo: ['conn-1'],
  });

  it('moves Sent -> Delivered -> Opened and refuses to go back', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(pop(tenant, 'p1'), 86_400_000);
    const ack = { tenant, popId: 'p1', connectionId: 'conn-1' };
    expect((await store.acknowledge({ ...ack, status: 'Delivered' })).kind).toBe('updated');
    expect((await store.acknowledge({ ...ack, status: 'Delivered' })).kind).toBe('unchanged');
    expect((await store.acknowledge({ ...ack, status: 'Opened' })).kind).toBe('updated');
    expect(await store.acknowledge({ ...ack, status: 'Delivered' })).toEqual({
      kind: 'alreadyFinal',
      status: 'Opened',
    });
    expect((await store.getPop(tenant, 'p1'))?.Status).toBe('Opened');
  });

  it('keeps a recalled pop Recalled when its delivery is then recorded as failed (recall raced the first push)', async () => {
    // GIVEN a pop recalled before the pop handler recorded where it went
    const pops = new PopStore(table.db, table.tableName);
    const tenant = unique('t');
    await pops.putPop(pop(tenant, 'p1'), 86_400_000);
    await pops.saveTransition({ tenant, PopId: 'p1', Status: 'Sent', failedBy: [] }, { status: 'Recalled' });
    // WHEN nobody took the push and the handler records the failure
    await pops.recordDelivery(tenant, 'p1', { sentTo: [], sentToInstances: [], failureReason: 'AgentNotOnDesktop' });
    // THEN the recall stands
    expect(await pops.getPop(tenant, 'p1')).toMatchObject({ Status: 'Recalled' });
  });

  it('stores the Reason of a failure', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(pop(tenant, 'p1'), 86_400_000);
    await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-1', status: 'Failed', reason: 'NoLicence' });
    expect(await store.getPop(tenant, 'p1')).toMatchObject({ Status: 'Failed', Reason: 'NoLicence' });
  });

  it('refuses an ack from another tenant or from a connection the pop was not sent to, changing nothing', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(pop(tenant, 'p1'), 86_400_000);
    expect(
      await store.acknowledge({ tenant: unique('other'), popId: 'p1', connectionId: 'conn-1', status: 'Opened' }),
    ).toEqual({ kind: 'notFound' });
    expect(await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-2', status: 'Opened' })).toEqual({
      kind: 'notSentToConnection',
    });
    expect((await store.getPop(tenant, 'p1'))?.Status).toBe('Sent');
  });
});

describe('PopStore idempotency keys', () => {
  it('reserves once, then replays the stored answer; another body under the same key is refused', async () => {
    const store = new PopStore(table.db, table.tableName);
    const tenant = unique('t');
    expect(await store.reserveIdempotencyKey(tenant, 'k1', 'f1', 60_000)).toEqual({ kind: 'reserved' });
    expect(await store.reserveIdempotencyKey(tenant, 'k1', 'f1', 60_000)).toEqual({ kind: 'inProgress' });
    const answer = { requestId: 'req-1', outcome: { kind: 'accepted', popId: 'p-1' } };
    await store.storeIdempotentAnswer(tenant, 'k1', answer);
    expect(await store.reserveIdempotencyKey(tenant, 'k1', 'f1', 60_000)).toEqual({ kind: 'answered', answer });
    expect(await store.reserveIdempotencyKey(tenant, 'k1', 'f2', 60_000)).toEqual({ kind: 'reusedForOtherRequest' });
    expect(await store.reserveIdempotencyKey(unique('other'), 'k1', 'f2', 60_000)).toEqual({ kind: 'reserved' });
  });
});

describe('PopStore acknowledgements of a pop sent to several instances', () => {
  const sentToBoth = (tenant: string, popId: string) => ({
    tenant,
    PopId: popId,
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'R1',
    Status: 'Sent' as const,
    CreatedAt: new Date().toISOString(),
    UpdatedAt: new Date().toISOString(),
    sentTo: ['conn-a', 'conn-b'],
  });

  it('stays open when one instance fails it and is Opened by the other', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(sentToBoth(tenant, 'p1'), 86_400_000);
    const failed = await store.acknowledge({
      tenant,
      popId: 'p1',
      connectionId: 'conn-a',
      status: 'Failed',
      reason: 'NoLicence',
    });
    expect(failed.kind).toBe('failureNoted');
    expect((await store.getPop(tenant, 'p1'))?.Status).toBe('Sent');
    expect((await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-b', status: 'Opened' })).kind).toBe(
      'updated',
    );
    expect(await store.getPop(tenant, 'p1')).toMatchObject({ Status: 'Opened' });
  });

  it('keeps Opened when the other instance fails it afterwards', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(sentToBoth(tenant, 'p1'), 86_400_000);
    await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-b', status: 'Opened' });
    expect(
      (await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-a', status: 'Failed', reason: 'NoLicence' }))
        .kind,
    ).toBe('alreadyFinal');
    expect((await store.getPop(tenant, 'p1'))?.Status).toBe('Opened');
  });

  it('fails only once every instance failed it, with the last Reason; a repeated failure changes nothing', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const store = { ...acknowledgeWith(pops), putPop: pops.putPop.bind(pops), getPop: pops.getPop.bind(pops) };
    const tenant = unique('t');
    await store.putPop(sentToBoth(tenant, 'p1'), 86_400_000);
    await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-a', status: 'Failed', reason: 'NoLicence' });
    expect(
      (await store.acknowledge({ tenant, popId: 'p1', connectionId: 'conn-a', status: 'Failed', reason: 'NoLicence' }))
        .kind,
    ).toBe('unchanged');
    expect((await store.getPop(tenant, 'p1'))?.Status).toBe('Sent');
    const last = await store.acknowledge({
      tenant,
      popId: 'p1',
      connectionId: 'conn-b',
      status: 'Failed',
      reason: 'UnknownCampaign',
    });
    expect(last.kind).toBe('updated');
    expect(await store.getPop(tenant, 'p1')).toMatchObject({ Status: 'Failed', Reason: 'UnknownCampaign' });
  });
});

describe('acknowledge when two instances answer the same pop at once', () => {
  it('fails the pop once both failures are stored, whichever write loses the race', async () => {
    const pops = new PopStore(table.db, table.tableName);
    const tenant = unique('t');
    const at = new Date().toISOString();
    await pops.putPop(
      {
        tenant,
        PopId: 'p1',
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: 'R1',
        Status: 'Sent',
        CreatedAt: at,
        UpdatedAt: at,
        sentTo: ['conn-a', 'conn-b'],
      },
      86_400_000,
    );
    const outcomes = await Promise.all(
      ['conn-a', 'conn-b'].map((connectionId) =>
        applyAck(pops, { tenant, popId: 'p1', connectionId, status: 'Failed', reason: 'NoLicence' }),
      ),
    );
    expect(outcomes.map((o) => o.kind).sort()).toEqual(['failureNoted', 'updated']);
    const stored = await pops.getPop(tenant, 'p1');
    expect(stored).toMatchObject({ Status: 'Failed', Reason: 'NoLicence' });
    expect([...stored!.failedBy].sort()).toEqual(['conn-a', 'conn-b']);
  });
});
