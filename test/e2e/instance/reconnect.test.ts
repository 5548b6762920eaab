/**
 * The reconnect path, end to end on the shared local stack: the server side ends the reference instance's socket, the
 * instance reconnects on its own (back-off 50 to 400 ms here), re-sends its Desktop list, and receives the next pop.
 * The caller polls POST /pop until 202 (404 AgentNotOnDesktop while the instance is away), within a bounded time.
 */
import { once } from 'events';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { LOCAL_CREDENTIALS } from '../../../local/provision';
import {
  dropStackConnection,
  sharedStack,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  type TestInstance,
} from '../support/instanceHarness';

// Each test takes well under 1 s here; the bound leaves room for a loaded CI machine.
jest.setTimeout(15_000);
afterEach(stopTestInstances);

/** Waits for the instance to be gone and back, then pops until accepted; returns the pop's final status. */
async function expectBackAndPoppable(tenant: TestTenant, desk: TestInstance, endSocket: () => Promise<void>) {
  const connector = desk.instance.connector;
  const disconnected = once(connector, 'disconnected') as Promise<[{ code: number }]>;
  const reconnected = new Promise<{ reason: string }>((resolve) =>
    connector.on('connected', (event: { reason: string }) => event.reason === 'reconnect' && resolve(event)),
  );

  await endSocket();
  const [{ code }] = await disconnected;
  const started = Date.now();
  const { answer, attempts } = await tenant.popUntilAccepted(
    { Username: 'agent1', Campaign: 'Sales', Reference: 'R-2', ScriptData: { var_Step: 2 } },
    5000,
  );
  const acceptedAfterMs = Date.now() - started;

  expect(answer.status).toBe(202);
  expect(await reconnected).toEqual({ connection: 2, reason: 'reconnect' });
  const status = await tenant.settled(answer.body.Result.PopId);
  return { code, status, attempts, acceptedAfterMs };
}

describe('reconnect path', () => {
  test('the gateway drops the socket (a lost network, no close frame): the instance is back and receives the next pop', async () => {
    const tenant = await TestTenant.create(sharedStack());
    const desk = await startTestInstance(sharedStack(), await tenant.newInstanceUser(), { agents: ['agent1'] });
    const first = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    expect(first.Status).toBe('Opened');

    const { code, status, acceptedAfterMs } = await expectBackAndPoppable(tenant, desk, async () => {
      expect(await dropStackConnection(sharedStack(), desk.connectionIds[0]!)).toBe(true);
    });

    expect(code).toBe(1006);
    expect(acceptedAfterMs).toBeLessThan(5000);
    expect(status).toMatchObject({ Reference: 'R-2', Status: 'Opened' });
    expect(desk.connectionIds).toHaveLength(2);
    expect(desk.connectionIds[1]).not.toBe(desk.connectionIds[0]);
    // The Desktop outlived the socket: the record opened before the drop is now in the Activities list.
    expect(desk.instance.desktop.agent('agent1')).toMatchObject({
      current: { reference: 'R-2', variables: { Step: 2 }, popId: status.PopId },
      activities: [expect.objectContaining({ reference: 'R-1', popId: first.PopId })],
    });
  });

  test('the server closes the socket (@connections DeleteConnection, as API Gateway does at its cap): the instance is back and receives the next pop', async () => {
    const stack = sharedStack();
    const tenant = await TestTenant.create(stack);
    const desk = await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
    const management = new ApiGatewayManagementApiClient({
      endpoint: stack.endpoints.WebSocketUrl.replace(/^ws/, 'http'),
      region: stack.endpoints.Region,
      credentials: LOCAL_CREDENTIALS,
    });

    try {
      const { code, status, acceptedAfterMs } = await expectBackAndPoppable(tenant, desk, async () => {
        await management.send(new DeleteConnectionCommand({ ConnectionId: desk.connectionIds[0]! }));
      });

      expect(code).toBe(1000);
      expect(acceptedAfterMs).toBeLessThan(5000);
      expect(status).toMatchObject({ Reference: 'R-2', Status: 'Opened' });
      expect(desk.instance.desktop.agent('agent1')?.current).toMatchObject({ reference: 'R-2' });
    } finally {
      management.destroy();
    }
  });
});
