import { deliverPop, type PopDeliveryDeps } from '../../../lambdas/pops/delivery';
import type { PushOutcome } from '../../../lambdas/pops/pusher';
import { requestLogger } from '../../../lambdas/shared/logger';
import type { MetricName } from '../../../lambdas/shared/metrics';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { CatalogueStore } from '../../../lambdas/catalogue/catalogueStore';
import { PopStore } from '../../../lambdas/pops/popStore';
import { refusal } from '../support/refusal';
import { startTestTable, type TestTable } from '../support/dynamoTable';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => table.stop());

let sequence = 0;
const tenantName = () => `tenant-${++sequence}`;

/** A pusher standing in for the management API: records what was pushed and answers per connection. */
function recordingPusher(answers: Record<string, PushOutcome | Error> = {}) {
  const pushed: { connectionId: string; message: Record<string, unknown> }[] = [];
  const push = async (connectionId: string, payload: string): Promise<PushOutcome> => {
    const answer = answers[connectionId] ?? 'sent';
    if (answer instanceof Error) throw answer;
    if (answer === 'sent') pushed.push({ connectionId, message: JSON.parse(payload) });
    return answer;
  };
  return { push, pushed };
}

async function setup(agentsByConnection: Record<string, string[]>, answers: Record<string, PushOutcome | Error> = {}) {
  const tenant = tenantName();
  const connections = new ConnectionStore(table.db, table.tableName);
  const pops = new PopStore(table.db, table.tableName);
  for (const [connectionId, agents] of Object.entries(agentsByConnection)) {
    const c = await connections.putConnection({
      connectionId: `${tenant}/${connectionId}`,
      tenant,
      username: 'inst',
      instance: connectionId,
      connectedAt: Date.now(),
    });
    await connections.replaceDesktop(c, agents);
  }
  const pusher = recordingPusher(Object.fromEntries(Object.entries(answers).map(([id, a]) => [`${tenant}/${id}`, a])));
  let ids = 0;
  const counted: Partial<Record<MetricName, number>> = {};
  const deps: PopDeliveryDeps = {
    connections,
    catalogues: new CatalogueStore(table.db, table.tableName),
    pops,
    push: pusher.push,
    claimWindowMs: 60_000,
    retentionMs: 86_400_000,
    newPopId: () => `pop-${++ids}`,
    now: Date.now,
    log: requestLogger(undefined),
    metrics: {
      count: (counts) => {
        for (const [name, value] of Object.entries(counts) as [MetricName, number][])
          counted[name] = (counted[name] ?? 0) + value;
      },
    },
  };
  return { tenant, deps, pushed: pusher.pushed, connections, pops, counted };
}

describe('deliverPop', () => {
  it('pushes exactly the pop to every connection holding the agent, and stores it as Sent', async () => {
    const { tenant, deps, pushed, pops, counted } = await setup({
      one: ['agent1'],
      two: ['agent1', 'agent2'],
      three: ['agent2'],
    });
    const accepted = await deliverPop(deps, tenant, {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R1',
      ScriptData: { 'Contact Name': 'Ann' },
    });

    expect(accepted).toEqual({ kind: 'accepted', popId: 'pop-1' });
    expect(counted).toEqual({ PopsAccepted: 1, PopsPushed: 2 });
    expect(pushed.map((p) => p.connectionId).sort()).toEqual([`${tenant}/one`, `${tenant}/two`]);
    expect(pushed[0]!.message).toMatchObject({
      Type: 'Pop',
      PopId: 'pop-1',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R1',
      ScriptData: { 'Contact Name': 'Ann' },
    });
    expect(typeof pushed[0]!.message.SentAt).toBe('string');
    expect(await pops.getPop(tenant, 'pop-1')).toMatchObject({ Status: 'Sent', Username: 'agent1', Reference: 'R1' });
  });

  it('answers 404 AgentNotOnDesktop when no connection holds the agent, storing nothing', async () => {
    const { tenant, deps, pushed, pops } = await setup({ one: ['agent1'] });
    const error = await refusal(deliverPop(deps, tenant, { Username: 'nobody', Campaign: 'Sales', Reference: 'R1' }));
    expect([error.statusCode, error.code]).toEqual([404, 'AgentNotOnDesktop']);
    expect(pushed).toEqual([]);
    expect(await pops.getPop(tenant, 'pop-1')).toBeUndefined();
  });

  it('removes a gone connection with its presence and still succeeds through the other one', async () => {
    const { tenant, deps, pushed, connections, counted } = await setup(
      { stale: ['agent1', 'agent9'], live: ['agent1'] },
      { stale: 'gone' },
    );
    await deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales' });
    expect(counted.StaleConnectionsRemoved).toBe(1);
    expect(pushed.map((p) => p.connectionId)).toEqual([`${tenant}/live`]);
    expect(await connections.getConnection(`${tenant}/stale`)).toBeUndefined();
    expect(await connections.connectionsForAgent(tenant, 'agent9')).toEqual([]);
  });

  it('answers 404 when every connection was gone, records the pop Failed and frees the record', async () => {
    const { tenant, deps, pops } = await setup({ stale: ['agent1'] }, { stale: 'gone' });
    const error = await refusal(deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' }));
    expect(error.code).toBe('AgentNotOnDesktop');
    expect(await pops.getPop(tenant, 'pop-1')).toMatchObject({ Status: 'Failed', Reason: 'AgentNotOnDesktop' });
    expect(
      await pops.claimRecord({
        tenant,
        campaign: 'Sales',
        reference: 'R1',
        username: 'other',
        popId: 'x',
        windowMs: 1000,
      }),
    ).toEqual({ kind: 'claimed' });
  });

  it('answers 503 ServiceUnavailable when pushing failed for another reason, marking the pop Undeliverable', async () => {
    const { tenant, deps, pops } = await setup({ broken: ['agent1'] }, { broken: new Error('socket hang up') });
    const error = await refusal(deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales' }));
    expect([error.statusCode, error.code]).toEqual([503, 'ServiceUnavailable']);
    expect(await pops.getPop(tenant, 'pop-1')).toMatchObject({ Status: 'Failed', Reason: 'Undeliverable' });
  });

  it('refuses the same record for another agent inside the claim window with 409, pushing nothing', async () => {
    const { tenant, deps, pushed } = await setup({ one: ['agent1', 'agent2'] });
    await deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' });
    const error = await refusal(deliverPop(deps, tenant, { Username: 'agent2', Campaign: 'Sales', Reference: 'R1' }));
    expect([error.statusCode, error.code]).toEqual([409, 'RecordOpenElsewhere']);
    expect(pushed).toHaveLength(1);
  });

  it('answers a retry for the same agent and record with the first PopId and pushes nothing twice', async () => {
    const { tenant, deps, pushed } = await setup({ one: ['agent1'] });
    const first = await deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' });
    const retry = await deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' });
    expect(first.kind).toBe('accepted');
    expect(retry).toEqual(first);
    expect(pushed).toHaveLength(1);
  });

  it('takes no claim for a pop without Reference', async () => {
    const { tenant, deps, pushed } = await setup({ one: ['agent1', 'agent2'] });
    await deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales' });
    await deliverPop(deps, tenant, { Username: 'agent2', Campaign: 'Sales' });
    expect(pushed).toHaveLength(2);
  });
});

describe('deliverPop when the table fails between the claim and the store', () => {
  it('answers a duplicate racing the first attempt with 409 RequestInProgress instead of pushing twice', async () => {
    const { tenant, deps, pushed, pops } = await setup({ one: ['agent1'] });
    // The first attempt has claimed the record but not yet stored its pop.
    await pops.claimRecord({
      tenant,
      campaign: 'Sales',
      reference: 'R1',
      username: 'agent1',
      popId: 'in-flight',
      windowMs: 60_000,
    });
    const error = await refusal(deliverPop(deps, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' }));
    expect([error.statusCode, error.code]).toEqual([409, 'RequestInProgress']);
    expect(error.headers['Retry-After']).toBe('1');
    expect(pushed).toEqual([]);
  });

  it('reclaims an orphan claim once no attempt can still be running, and delivers', async () => {
    const { tenant, deps, pushed, pops } = await setup({ one: ['agent1'] });
    await pops.claimRecord({
      tenant,
      campaign: 'Sales',
      reference: 'R1',
      username: 'agent1',
      popId: 'orphan',
      windowMs: 60_000,
    });
    const later = { ...deps, now: () => Date.now() + 31_000 };
    const accepted = await deliverPop(later, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R1' });
    expect(accepted).toMatchObject({ kind: 'accepted' });
    expect(accepted).not.toMatchObject({ popId: 'orphan' });
    expect(pushed).toHaveLength(1);
  });
});
