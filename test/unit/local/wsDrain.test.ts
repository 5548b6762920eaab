/**
 * A stop drains what the local WebSocket API accepted (issue 25, item 3): `close()` sends 1001 to every socket and
 * resolves only once each connection's queue of received messages has been handled, so an Ack an instance sent before
 * the stop reaches its handler (before, the queued Acks were dropped and their pops stayed `Sent`).
 */
import { type AddressInfo } from 'net';
import WebSocket from 'ws';
import { WEBSOCKET_IDENTITY_SOURCE } from '../../../lambdas/apiRoutes';
import { silentLog } from '../../../local/gateway/log';
import type { LambdaRuntime } from '../../../local/gateway/lambdaRuntime';
import { createWebSocketApi, type LocalWebSocketApi } from '../../../local/gateway/webSocketServer';

const allow = {
  principalId: 'inst',
  policyDocument: {
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: '*' }],
  },
  context: { tenant: 't' },
};

jest.setTimeout(30_000);

describe('stopping the local WebSocket API', () => {
  let api: LocalWebSocketApi;
  const handled: string[] = [];
  let ackStarted!: () => void;
  const firstAckStarted = new Promise<void>((resolve) => (ackStarted = resolve));
  let releaseAck!: () => void;
  const ackGate = new Promise<void>((resolve) => (releaseAck = resolve));

  const runtime: LambdaRuntime = {
    invoke: async (name, event) => {
      if (name === 'wsAuthorizer') return allow;
      if (name !== 'wsAck') return { statusCode: 200 };
      const body = JSON.parse((event as { body: string }).body) as { PopId: string };
      ackStarted();
      await ackGate;
      handled.push(body.PopId);
      return { statusCode: 200 };
    },
    close: () => undefined,
  };

  beforeAll(async () => {
    api = createWebSocketApi({
      stage: 'v1',
      apiId: 'drain',
      region: 'us-east-1',
      accountId: '000000000000',
      runtime,
      log: silentLog,
      testHooks: false,
    });
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
  });

  it('waits for every Ack already received before it resolves', async () => {
    const port = (api.server.address() as AddressInfo).port;
    const client = new WebSocket(`ws://127.0.0.1:${port}/v1`, { headers: { [WEBSOCKET_IDENTITY_SOURCE]: 'Bearer x' } });
    await new Promise((resolve, reject) => client.once('open', resolve).once('error', reject));
    const closedByServer = new Promise<number>((resolve) => client.once('close', resolve));
    for (const popId of ['p1', 'p2', 'p3'])
      client.send(JSON.stringify({ Action: 'Ack', PopId: popId, Status: 'Opened' }));
    await firstAckStarted;

    let stopped = false;
    const stopping = api.close().then(() => (stopped = true));
    expect(await closedByServer).toBe(1001);
    // The handler is still busy: the stop must not be over, whatever time has passed.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stopped).toBe(false);
    releaseAck();
    await stopping;
    expect(handled).toEqual(['p1', 'p2', 'p3']);
  });
});
