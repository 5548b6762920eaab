/**
 * The reference instance's side of a recall (instance/connector.ts, `Recall` in contract/webSocket.ts): a pop still
 * waiting to open is dropped and acknowledged Recalled; an opened pop stays opened; a Recall that arrives before its
 * pop keeps that pop from ever opening. Against the fake gateway of the connector's tests.
 */
import { AuthClient } from '../../../instance/auth';
import { Connector, type AckDecision } from '../../../instance/connector';
import type { PopMessage } from '../../../contract/webSocket';
import { createMemoryLogger } from '../../../instance/log';
import { eventually, FakeGateway, PASSWORD, USERNAME, type GatewayConnection } from './fakeGateway';

let gateway: FakeGateway;
let connector: Connector | undefined;

beforeEach(async () => {
  gateway = await new FakeGateway().start();
});

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
  await gateway.stop();
});

async function connected(
  openDelayMs: number,
  openGate?: (pop: PopMessage) => Promise<void>,
): Promise<{ opened: PopMessage[]; conn: GatewayConnection }> {
  const opened: PopMessage[] = [];
  connector = new Connector({
    webSocketUrl: gateway.webSocketUrl,
    instanceName: 'desk',
    auth: new AuthClient({
      authUrl: gateway.authUrl,
      refreshUrl: `${gateway.authUrl}/refresh`,
      username: USERNAME,
      password: PASSWORD,
    }),
    desktopAgents: () => ['agent1'],
    onPop: (pop): AckDecision => {
      opened.push(pop);
      return { status: 'Opened' };
    },
    logger: createMemoryLogger(),
    heartbeatMs: 60_000,
    reconnect: { minMs: 20, maxMs: 100 },
    maxConnectionMs: 60 * 60_000,
    overlapMs: 100,
    openDelayMs,
    ...(openGate ? { openGate } : {}),
  });
  connector.start();
  await connector.whenConnected();
  return { opened, conn: await eventually(() => gateway.latest().messages.length > 0 && gateway.latest()) };
}

const recall = (conn: GatewayConnection, popId: string) =>
  conn.ws.send(JSON.stringify({ Type: 'Recall', PopId: popId }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('a pop recalled while it waits to open is dropped: Delivered, then Recalled, never opened', async () => {
  const { opened, conn } = await connected(300);
  gateway.push(conn, { PopId: 'p1', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
  await eventually(() => gateway.acksFor('p1').length === 1);
  recall(conn, 'p1');

  await eventually(() => gateway.acksFor('p1').length === 2);
  await sleep(400); // past the open delay: nothing opens
  expect(gateway.acksFor('p1').map((a) => a.Status)).toEqual(['Delivered', 'Recalled']);
  expect(opened).toEqual([]);
});

test('a pop already opened stays opened: the Recall is not acknowledged', async () => {
  const { opened, conn } = await connected(0);
  gateway.push(conn, { PopId: 'p2', Username: 'agent1', Campaign: 'Sales', Reference: 'R-2' });
  await eventually(() => gateway.acksFor('p2').length === 2);
  recall(conn, 'p2');
  await sleep(100);

  expect(gateway.acksFor('p2').map((a) => a.Status)).toEqual(['Delivered', 'Opened']);
  expect(opened.map((p) => p.PopId)).toEqual(['p2']);
});

test('a Recall before its pop: acknowledged Recalled, and the pop when it comes is not opened', async () => {
  const { opened, conn } = await connected(0);
  recall(conn, 'p3');
  await eventually(() => gateway.acksFor('p3').length === 1);
  gateway.push(conn, { PopId: 'p3', Username: 'agent1', Campaign: 'Sales', Reference: 'R-3' });
  await eventually(() => gateway.acksFor('p3').length === 3);

  expect(gateway.acksFor('p3').map((a) => a.Status)).toEqual(['Recalled', 'Delivered', 'Recalled']);
  expect(opened).toEqual([]);
});

test('with an openGate a pop opens when the gate settles, and a pop recalled while held never opens', async () => {
  const release = new Map<string, () => void>();
  const gate = (pop: PopMessage) => new Promise<void>((resolve) => release.set(pop.PopId, resolve));
  const { opened, conn } = await connected(0, gate);
  gateway.push(conn, { PopId: 'p4', Username: 'agent1', Campaign: 'Sales', Reference: 'R-4' });
  gateway.push(conn, { PopId: 'p5', Username: 'agent1', Campaign: 'Sales', Reference: 'R-5' });
  await eventually(() => release.size === 2);
  recall(conn, 'p4');
  await eventually(() => gateway.acksFor('p4').length === 2);

  release.get('p4')!();
  release.get('p5')!();
  await eventually(() => gateway.acksFor('p5').length === 2);
  expect(gateway.acksFor('p4').map((a) => a.Status)).toEqual(['Delivered', 'Recalled']);
  expect(gateway.acksFor('p5').map((a) => a.Status)).toEqual(['Delivered', 'Opened']);
  expect(opened.map((p) => p.PopId)).toEqual(['p5']);
});
