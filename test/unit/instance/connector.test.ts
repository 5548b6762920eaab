import WebSocket from 'ws';
import { AuthClient } from '../../../instance/auth';
import { Connector, type AckDecision, type ConnectorOptions } from '../../../instance/connector';
import type { PopMessage } from '../../../contract/webSocket';
import { createMemoryLogger } from '../../../instance/log';
import { eventually, FakeGateway, PASSWORD, USERNAME } from './fakeGateway';

let gateway: FakeGateway;
let connector: Connector | undefined;
let logger: ReturnType<typeof createMemoryLogger>;

beforeEach(async () => {
  gateway = await new FakeGateway().start();
  logger = createMemoryLogger();
});

afterEach(async () => {
  await connector?.stop();
  connector = undefined;
  await gateway.stop();
  // Whatever happened in the test, no secret reached the log.
  const written = JSON.stringify(logger.entries);
  expect(written).not.toContain(PASSWORD);
  for (const token of gateway.issuedIdTokens) expect(written).not.toContain(token);
  expect(written).not.toMatch(/refresh-token-|access-token-/);
});

function startConnector(overrides: Partial<ConnectorOptions> = {}): {
  connector: Connector;
  popsHandled: PopMessage[];
  agents: string[];
} {
  const popsHandled: PopMessage[] = [];
  const agents = ['agent1'];
  connector = new Connector({
    webSocketUrl: gateway.webSocketUrl,
    instanceName: 'demo-instance',
    auth: new AuthClient({
      authUrl: gateway.authUrl,
      refreshUrl: `${gateway.authUrl}/refresh`,
      username: USERNAME,
      password: PASSWORD,
    }),
    desktopAgents: () => agents,
    onPop: (pop): AckDecision => {
      popsHandled.push(pop);
      return pop.Campaign === 'Nope' ? { status: 'Failed', reason: 'UnknownCampaign' } : { status: 'Opened' };
    },
    logger,
    heartbeatMs: 60_000,
    reconnect: { minMs: 20, maxMs: 100 },
    maxConnectionMs: 60 * 60_000,
    overlapMs: 100,
    ...overrides,
  });
  connector.start();
  return { connector, popsHandled, agents };
}

describe('connector', () => {
  test('authenticates with Basic auth, connects with the IdToken as Bearer and ?instance=, Desktop list first', async () => {
    const { connector } = startConnector();
    await connector.whenConnected();
    const conn = await eventually(() => gateway.latest().messages.length > 0 && gateway.latest());
    expect(gateway.authCalls).toBe(1);
    expect(conn.authorization).toBe(`Bearer ${gateway.issuedIdTokens[0]}`);
    expect(conn.url).toBe('/v1?instance=demo-instance');
    expect(conn.messages[0]).toEqual({ Action: 'Desktop', Agents: ['agent1'] });
  });

  test('acknowledges a pop Delivered first, then Opened, or Failed with its Reason', async () => {
    const { connector, popsHandled } = startConnector();
    await connector.whenConnected();
    const conn = gateway.latest();
    gateway.push(conn, {
      PopId: 'p1',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-1',
      ScriptData: { 'Contact Name': 'Jane' },
    });
    gateway.push(conn, { PopId: 'p2', Username: 'agent1', Campaign: 'Nope', Reference: 'R-2' });
    await eventually(() => gateway.acksFor('p2').length === 2);
    expect(gateway.acksFor('p1')).toEqual([
      { Status: 'Delivered', connection: 0 },
      { Status: 'Opened', connection: 0 },
    ]);
    expect(gateway.acksFor('p2')).toEqual([
      { Status: 'Delivered', connection: 0 },
      { Status: 'Failed', Reason: 'UnknownCampaign', connection: 0 },
    ]);
    expect(popsHandled[0]).toMatchObject({ PopId: 'p1', Reference: 'R-1', ScriptData: { 'Contact Name': 'Jane' } });
  });

  test('a pop that does not match the contract is still read, acknowledged and logged with its problems', async () => {
    const { connector, popsHandled } = startConnector();
    await connector.whenConnected();
    gateway.push(gateway.latest(), {
      PopId: 'odd',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: null,
      ScriptData: { n: { a: 1 } },
    });
    await eventually(() => gateway.acksFor('odd').length === 2);
    expect(gateway.acksFor('odd').map((ack) => ack.Status)).toEqual(['Delivered', 'Opened']);
    expect(popsHandled[0]).toMatchObject({
      PopId: 'odd',
      Username: 'agent1',
      Reference: undefined,
      ScriptData: { n: '{"a":1}' },
    });
    const warning = logger.entries.find((entry) => entry.message.startsWith('a pop that does not match the contract'));
    expect(warning?.fields.problems).toEqual([
      'Reference: must be a string',
      'ScriptData.n: must be a string, number or boolean',
    ]);
  });

  test('a PopId received twice is acknowledged twice but opened once', async () => {
    const { connector, popsHandled } = startConnector();
    await connector.whenConnected();
    const pop = { PopId: 'dup', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' };
    gateway.push(gateway.latest(), pop);
    gateway.push(gateway.latest(), pop);
    await eventually(() => gateway.acksFor('dup').length === 4);
    expect(gateway.acksFor('dup').map((ack) => ack.Status)).toEqual(['Delivered', 'Opened', 'Delivered', 'Opened']);
    expect(popsHandled).toHaveLength(1);
  });

  test('reconnects after the server closes the socket and sends the Desktop list again', async () => {
    const { connector, agents } = startConnector();
    await connector.whenConnected();
    agents.push('agent2');
    gateway.latest().ws.close(1001, 'going away');
    await eventually(() => gateway.connections.length === 2 && gateway.latest().messages.length > 0);
    expect(gateway.latest().messages[0]).toEqual({ Action: 'Desktop', Agents: ['agent1', 'agent2'] });
    expect(logger.entries).toContainEqual(expect.objectContaining({ level: 'warn', message: 'disconnected' }));
    expect(gateway.authCalls).toBe(1);
  });

  test('retries with jittered exponential back-off while the server refuses the handshake', async () => {
    gateway.refuseHandshakes = { count: 3, status: 503 };
    const { connector } = startConnector();
    await connector.whenConnected();
    const delays = logger.entries
      .filter((entry) => entry.message === 'reconnecting')
      .map((entry) => entry.fields.inMs as number);
    expect(delays).toHaveLength(3);
    [20, 40, 80].forEach((base, index) => {
      expect(delays[index]).toBeGreaterThanOrEqual(base / 2);
      expect(delays[index]).toBeLessThanOrEqual(base);
    });
  });

  test('a refused handshake (401) starts again from Basic auth', async () => {
    gateway.refuseHandshakes = { count: 1, status: 401 };
    const { connector } = startConnector();
    await connector.whenConnected();
    expect(gateway.authCalls).toBe(2);
    expect(gateway.latest().authorization).toBe(`Bearer ${gateway.issuedIdTokens[1]}`);
  });

  test('refreshes the IdToken before it expires and connects with the new one', async () => {
    gateway.expiresIn = 1; // refresh due at 80%: 800 ms after the token was issued
    const { connector } = startConnector();
    await connector.whenConnected();
    await eventually(() => gateway.refreshCalls === 1);
    const refreshedAfter = gateway.refreshRequestedAt[0] - gateway.issuedAt[0];
    expect(refreshedAfter).toBeGreaterThanOrEqual(700);
    expect(refreshedAfter).toBeLessThan(1000); // before the IdToken expires
    gateway.latest().ws.close(1001);
    await eventually(() => gateway.connections.length === 2 && gateway.latest().messages.length > 0);
    expect(gateway.latest().authorization).toBe(`Bearer ${gateway.issuedIdTokens[1]}`);
    expect(gateway.authCalls).toBe(1);
  });

  test('falls back to Basic auth when the refresh is refused', async () => {
    gateway.expiresIn = 0.3;
    gateway.refuseRefresh = true;
    const { connector } = startConnector();
    await connector.whenConnected();
    await eventually(() => gateway.refreshCalls >= 1 && gateway.authCalls >= 2);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: 'token refresh failed; falling back to Basic auth',
        fields: { code: 'NotAuthorized' },
      }),
    );
  });

  test('sends Ping every heartbeat and takes the Pong', async () => {
    const { connector } = startConnector({ heartbeatMs: 50, pongTimeoutMs: 2000 });
    const pongs: unknown[] = [];
    connector.on('pong', (event) => pongs.push(event));
    await connector.whenConnected();
    await eventually(() => pongs.length >= 2);
    expect(gateway.latest().messages.filter((message) => message.Action === 'Ping').length).toBeGreaterThanOrEqual(2);
    expect(gateway.connections).toHaveLength(1);
  });

  test('drops a connection that stops answering Ping, and reconnects', async () => {
    gateway.answerPings = false;
    const { connector } = startConnector({ heartbeatMs: 50, pongTimeoutMs: 50 });
    await connector.whenConnected();
    await eventually(() => gateway.connections.length >= 2 && gateway.connections[0].closed);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'no Pong from the server; dropping the connection' }),
    );
  });

  test('renews the connection before the cap: Desktop on the new socket before the old one closes, no pop lost', async () => {
    const { connector, popsHandled } = startConnector({ maxConnectionMs: 150, overlapMs: 600 });
    await connector.whenConnected();
    const first = gateway.latest();
    const second = await eventually(
      () => gateway.connections.length === 2 && gateway.connections[1].messages.length > 0 && gateway.connections[1],
    );
    expect(second.messages[0]).toEqual({ Action: 'Desktop', Agents: ['agent1'] });
    expect(first.closed).toBe(false);
    // A pop the server routed to the old socket during the overlap is still received and acknowledged there.
    gateway.push(first, { PopId: 'in-switch', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    await eventually(() => gateway.acksFor('in-switch').length === 2);
    expect(gateway.acksFor('in-switch')).toEqual([
      { Status: 'Delivered', connection: 0 },
      { Status: 'Opened', connection: 0 },
    ]);
    await eventually(() => first.closed);
    expect(first.ws.readyState === WebSocket.CLOSED || first.closed).toBe(true);
    expect(popsHandled).toHaveLength(1);
    expect(connector.isConnected).toBe(true);
  });

  test('sends Login and Logout as agents come and go', async () => {
    const { connector } = startConnector();
    await connector.whenConnected();
    connector.login('agent2');
    connector.logout('agent1');
    const messages = await eventually(() => gateway.latest().messages.length === 3 && gateway.latest().messages);
    expect(messages.slice(1)).toEqual([
      { Action: 'Login', Username: 'agent2' },
      { Action: 'Logout', Username: 'agent1' },
    ]);
  });

  test('an Ack that cannot be sent waits for the next connection', async () => {
    const clients: WebSocket[] = [];
    const { connector } = startConnector({
      webSocketFactory: (url, options) => {
        const ws = new WebSocket(url, options);
        clients.push(ws);
        return ws;
      },
      onPop: () => {
        clients[clients.length - 1].terminate(); // the socket dies while the Desktop opens the record
        return { status: 'Opened' };
      },
    });
    await connector.whenConnected();
    gateway.push(gateway.latest(), { PopId: 'late', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    await eventually(() => gateway.acksFor('late').length === 2);
    expect(gateway.acksFor('late')).toEqual([
      { Status: 'Delivered', connection: 0 },
      { Status: 'Opened', connection: 1 },
    ]);
    expect(gateway.connections[1].messages[0]).toMatchObject({ Action: 'Desktop' });
  });

  test('a server Error message is logged at Warn and the connection stays open', async () => {
    const { connector } = startConnector();
    await connector.whenConnected();
    gateway.latest().ws.send(JSON.stringify({ Type: 'Error', Code: 'InvalidMessage', Message: 'bad' }));
    await eventually(() => logger.entries.some((entry) => entry.message === 'the server reported an error'));
    expect(connector.isConnected).toBe(true);
  });

  test('stop closes the socket cleanly and nothing reconnects', async () => {
    const { connector } = startConnector();
    await connector.whenConnected();
    await connector.stop();
    await eventually(() => gateway.latest().closed);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(gateway.connections).toHaveLength(1);
  });
});
