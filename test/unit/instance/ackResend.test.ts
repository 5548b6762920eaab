/**
 * The reference instance keeps the final Acks of the pops it handled and sends them again on every new connection
 * (instance/connector.ts `resendRecentAcks`; issue 25, item 3): an Ack taken by a gateway that then stopped or
 * crashed before handling it, or sent on a socket that died, no longer leaves a pop this instance opened at `Sent`.
 */
import { AuthClient } from '../../../instance/auth';
import { Connector } from '../../../instance/connector';
import { createMemoryLogger } from '../../../instance/log';
import { eventually, FakeGateway, PASSWORD, USERNAME } from './fakeGateway';

let gateway: FakeGateway;
let connector: Connector | undefined;

beforeEach(async () => {
  gateway = await new FakeGateway().start();
});

afterEach(async () => {
  await connector?.stop();
  await gateway.stop();
});

test('a new connection carries the final Acks of the pops handled before, once each, after the Desktop list', async () => {
  connector = new Connector({
    webSocketUrl: gateway.webSocketUrl,
    instanceName: 'demo-instance',
    auth: new AuthClient({
      authUrl: gateway.authUrl,
      refreshUrl: `${gateway.authUrl}/refresh`,
      username: USERNAME,
      password: PASSWORD,
    }),
    desktopAgents: () => ['agent1'],
    onPop: (pop) => (pop.Campaign === 'Nope' ? { status: 'Failed', reason: 'UnknownCampaign' } : { status: 'Opened' }),
    logger: createMemoryLogger(),
    heartbeatMs: 60_000,
    reconnect: { minMs: 20, maxMs: 100 },
    maxConnectionMs: 60 * 60_000,
    overlapMs: 100,
  });
  connector.start();
  await connector.whenConnected();
  const first = gateway.latest();
  gateway.push(first, { PopId: 'p1', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
  gateway.push(first, { PopId: 'p2', Username: 'agent1', Campaign: 'Nope', Reference: 'R-2' });
  await eventually(() => gateway.acksFor('p2').length === 2);

  // The stack goes away: whatever the gateway had taken of those Acks may be lost.
  first.ws.terminate();
  const second = await eventually(
    () => gateway.connections.length === 2 && gateway.latest().messages.length >= 3 && gateway.latest(),
  );

  expect(second.messages[0]).toMatchObject({ Action: 'Desktop' });
  expect(second.messages.slice(1)).toEqual([
    { Action: 'Ack', PopId: 'p1', Status: 'Opened' },
    { Action: 'Ack', PopId: 'p2', Status: 'Failed', Reason: 'UnknownCampaign' },
  ]);
});
