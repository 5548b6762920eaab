/**
 * Recall (DELETE /pops/{PopId}): the pure decisions in lambdas/pops/status.ts (`recallOf` and what
 * `next` does with Recalled), and the use case in lambdas/pops/recall.ts against a real table (in-process dynalite).
 */
import { acknowledge } from '../../../lambdas/pops/acknowledge';
import { deliverPop, type PopDeliveryDeps } from '../../../lambdas/pops/delivery';
import { PopStore } from '../../../lambdas/pops/popStore';
import type { PushOutcome } from '../../../lambdas/pops/pusher';
import { recallPop } from '../../../lambdas/pops/recall';
import { instanceKey, next, recallOf, type PopState } from '../../../lambdas/pops/status';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { CatalogueStore } from '../../../lambdas/catalogue/catalogueStore';
import { requestLogger } from '../../../lambdas/shared/logger';
import { startTestTable, type TestTable } from '../support/dynamoTable';

const pop = (Status: PopState['Status']): PopState => ({ Status, sentTo: ['a'], failedBy: [] });

describe('recallOf(pop): what a recall may do (lambdas/pops/status.ts)', () => {
  it('recalls a pop that has not opened: Sent or Delivered', () => {
    expect(recallOf(pop('Sent'))).toEqual({ kind: 'recall' });
    expect(recallOf(pop('Delivered'))).toEqual({ kind: 'recall' });
  });

  it('refuses an opened pop, and a pop that ended otherwise; a recalled pop is recalled already', () => {
    expect(recallOf(pop('Opened'))).toEqual({ kind: 'alreadyOpened' });
    expect(recallOf(pop('Unchanged'))).toEqual({ kind: 'alreadyFinal', status: 'Unchanged' });
    expect(recallOf(pop('Failed'))).toEqual({ kind: 'alreadyFinal', status: 'Failed' });
    expect(recallOf(pop('Recalled'))).toEqual({ kind: 'alreadyRecalled' });
  });
});

describe('next(pop, ack) around a recall', () => {
  it('Recalled is final: no ack moves it, an Opened that raced the Recall included', () => {
    for (const status of ['Delivered', 'Opened', 'Unchanged'] as const) {
      expect(next(pop('Recalled'), { connectionId: 'a', status })).toEqual({
        kind: 'alreadyFinal',
        status: 'Recalled',
      });
    }
    expect(next(pop('Recalled'), { connectionId: 'a', status: 'Failed', reason: 'NoLicence' })).toEqual({
      kind: 'alreadyFinal',
      status: 'Recalled',
    });
  });

  it("an instance's Recalled confirms the API's recall and moves nothing; it cannot recall a pop itself", () => {
    expect(next(pop('Recalled'), { connectionId: 'a', status: 'Recalled' })).toEqual({ kind: 'unchanged' });
    expect(next(pop('Sent'), { connectionId: 'a', status: 'Recalled' })).toEqual({
      kind: 'notRecalled',
      status: 'Sent',
    });
    expect(next(pop('Opened'), { connectionId: 'a', status: 'Recalled' })).toEqual({
      kind: 'notRecalled',
      status: 'Opened',
    });
  });

  it('only a connection the pop was sent to may confirm', () => {
    expect(next(pop('Recalled'), { connectionId: 'b', status: 'Recalled' })).toEqual({ kind: 'notSentToConnection' });
  });
});

describe('recallPop (lambdas/pops/recall.ts) against a table', () => {
  let table: TestTable;
  beforeAll(async () => {
    table = await startTestTable();
  });
  afterAll(async () => table.stop());

  let sequence = 0;
  async function setup() {
    const tenant = `recall-${++sequence}`;
    const connections = new ConnectionStore(table.db, table.tableName);
    const pops = new PopStore(table.db, table.tableName);
    const conn = await connections.putConnection({
      connectionId: `${tenant}/c1`,
      tenant,
      username: 'inst',
      instance: 'desk',
      connectedAt: Date.now(),
    });
    await connections.replaceDesktop(conn, ['agent1', 'agent2']);
    const pushed: { connectionId: string; message: Record<string, unknown> }[] = [];
    const push = async (connectionId: string, payload: string): Promise<PushOutcome> => {
      pushed.push({ connectionId, message: JSON.parse(payload) });
      return 'sent';
    };
    let ids = 0;
    const delivery: PopDeliveryDeps = {
      connections,
      catalogues: new CatalogueStore(table.db, table.tableName),
      pops,
      push,
      claimWindowMs: 60_000,
      retentionMs: 86_400_000,
      newPopId: () => `${tenant}-pop-${++ids}`,
      now: Date.now,
      log: requestLogger(undefined),
      metrics: { count: () => undefined },
    };
    const recall = (popId: string, asTenant = tenant) =>
      recallPop({ pops, connections, push }, asTenant, popId, requestLogger(undefined));
    const ack = (popId: string, status: 'Opened' | 'Delivered' | 'Recalled') =>
      acknowledge(pops, {
        tenant,
        popId,
        connectionId: `${tenant}/c1`,
        instance: instanceKey({ connectionId: `${tenant}/c1`, username: 'inst', instance: 'desk' }),
        status,
      });
    return { tenant, pops, pushed, delivery, recall, ack };
  }

  it('stores Recalled, tells the connection the pop was pushed to, and releases the record claim at once', async () => {
    const { tenant, pops, pushed, delivery, recall } = await setup();
    const first = await deliverPop(delivery, tenant, { Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    expect(first).toMatchObject({ kind: 'accepted' });
    const popId = (first as { popId: string }).popId;

    const outcome = await recall(popId);

    expect(outcome).toMatchObject({ kind: 'recalled', told: 1, pop: { PopId: popId, Status: 'Recalled' } });
    expect(pushed.at(-1)).toEqual({ connectionId: `${tenant}/c1`, message: { Type: 'Recall', PopId: popId } });
    expect(await pops.getPop(tenant, popId)).toMatchObject({ Status: 'Recalled' });
    // The claim is free: the same record goes to another agent inside the claim window.
    expect(
      await deliverPop(delivery, tenant, { Username: 'agent2', Campaign: 'Sales', Reference: 'R-1' }),
    ).toMatchObject({ kind: 'accepted' });
  });

  it('a repeat answers Recalled again and pushes nothing; a late Opened ack leaves it Recalled', async () => {
    const { tenant, pops, pushed, delivery, recall, ack } = await setup();
    const { popId } = (await deliverPop(delivery, tenant, {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-2',
    })) as { popId: string };
    await recall(popId);
    const pushes = pushed.length;

    expect(await recall(popId)).toMatchObject({ kind: 'recalled', told: 0, pop: { Status: 'Recalled' } });
    expect(pushed).toHaveLength(pushes);
    expect(await ack(popId, 'Opened')).toEqual({ kind: 'alreadyFinal', status: 'Recalled' });
    expect(await ack(popId, 'Recalled')).toMatchObject({ kind: 'unchanged' });
    expect(await pops.getPop(tenant, popId)).toMatchObject({ Status: 'Recalled' });
  });

  it('refuses an opened pop (AlreadyOpened) and keeps its claim; another tenant gets PopNotFound', async () => {
    const { tenant, pops, delivery, recall, ack } = await setup();
    const { popId } = (await deliverPop(delivery, tenant, {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-3',
    })) as { popId: string };
    await ack(popId, 'Opened');

    expect(await recall(popId)).toMatchObject({ kind: 'refused', code: 'AlreadyOpened' });
    expect(await pops.getPop(tenant, popId)).toMatchObject({ Status: 'Opened' });
    expect(
      await deliverPop(delivery, tenant, { Username: 'agent2', Campaign: 'Sales', Reference: 'R-3' }),
    ).toMatchObject({ kind: 'refused', code: 'RecordOpenElsewhere' });
    expect(await recall(popId, 'another-tenant')).toMatchObject({ kind: 'refused', code: 'PopNotFound' });
    expect(await recall('no-such-pop')).toMatchObject({ kind: 'refused', code: 'PopNotFound' });
  });

  it('refuses a pop that ended otherwise (AlreadyFinal)', async () => {
    const { tenant, pops, delivery, recall } = await setup();
    const { popId } = (await deliverPop(delivery, tenant, {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-4',
    })) as { popId: string };
    await pops.saveTransition((await pops.getPop(tenant, popId))!, { status: 'Unchanged' });

    expect(await recall(popId)).toMatchObject({
      kind: 'refused',
      code: 'AlreadyFinal',
      message: expect.stringContaining('Unchanged'),
    });
  });
});
