import { validateConfig, type InstanceConfig } from '../../../instance/config';
import { Desktop } from '../../../instance/desktop';
import { createMemoryLogger, formatLine, redact } from '../../../instance/log';
import { startInstance, type RunningInstance } from '../../../instance/main';
import { createPopHandler } from '../../../instance/popHandler';
import { eventually, FakeGateway, PASSWORD, USERNAME } from './fakeGateway';

const CAMPAIGNS = [
  {
    name: 'Sales',
    type: 'external',
    active: true,
    allowRecordCreation: false,
    workflow: 'Sales Call',
    externalLinks: { 'Contact Name': { field: 'ContactName' }, var_ContactReason: { variable: 'ContactReason' } },
  },
  { name: 'Old', type: 'external', active: false, workflow: 'Old Call' },
];

function config(gateway: FakeGateway, overrides: Record<string, unknown> = {}): InstanceConfig {
  return validateConfig({
    authUrl: gateway.authUrl,
    webSocketUrl: gateway.webSocketUrl,
    username: USERNAME,
    password: PASSWORD,
    instanceName: 'demo-instance',
    plugin: { enabled: true },
    licence: { type: 'Concurrent', users: 1 },
    campaigns: CAMPAIGNS,
    agents: ['agent1', 'agent2'],
    reconnect: { minMs: 20, maxMs: 100 },
    ...overrides,
  });
}

describe('pop handling', () => {
  test('every failure is logged at Warn', () => {
    const logger = createMemoryLogger();
    const desktop = new Desktop({
      pluginEnabled: true,
      licence: { type: 'Named', users: 2, assigned: ['agent1', 'agent3'] },
      campaigns: config(new FakeGateway()).campaigns,
    });
    ['agent1', 'agent2', 'agent3'].forEach((agent) => desktop.login(agent));
    const handle = createPopHandler(desktop, logger);
    const pops = [
      { PopId: 'p1', Username: 'ghost', Campaign: 'Sales', Reference: 'R-1' },
      { PopId: 'p2', Username: 'agent2', Campaign: 'Sales', Reference: 'R-1' },
      { PopId: 'p3', Username: 'agent1', Campaign: 'Old', Reference: 'R-1' },
      { PopId: 'p4', Username: 'agent1', Campaign: 'Sales' },
      { PopId: 'p5', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' },
      { PopId: 'p6', Username: 'agent3', Campaign: 'Sales', Reference: 'R-1' },
    ];
    const decisions = pops.map((pop) => handle(pop));
    desktop.setPluginEnabled(false);
    decisions.push(handle({ PopId: 'p7', Username: 'agent1', Campaign: 'Sales', Reference: 'R-2' }));

    expect(decisions).toEqual([
      { status: 'Failed', reason: 'AgentNotOnDesktop' },
      { status: 'Failed', reason: 'NoLicence' },
      { status: 'Failed', reason: 'UnknownCampaign' },
      { status: 'Failed', reason: 'RecordCreationNotAllowed' },
      { status: 'Opened' },
      { status: 'Failed', reason: 'RecordOpenElsewhere' },
      { status: 'Failed', reason: 'PluginDisabled' },
    ]);
    const warnings = logger.entries.filter((entry) => entry.level === 'warn');
    expect(
      warnings.map(({ message, fields }) => [message, fields.PopId, fields.agent, fields.campaign, fields.reason]),
    ).toEqual([
      ['pop failed', 'p1', 'ghost', 'Sales', 'AgentNotOnDesktop'],
      ['pop failed', 'p2', 'agent2', 'Sales', 'NoLicence'],
      ['pop failed', 'p3', 'agent1', 'Old', 'UnknownCampaign'],
      ['pop failed', 'p4', 'agent1', 'Sales', 'RecordCreationNotAllowed'],
      ['pop failed', 'p6', 'agent3', 'Sales', 'RecordOpenElsewhere'],
      ['pop failed', 'p7', 'agent1', 'Sales', 'PluginDisabled'],
    ]);
  });

  test('an opened pop is logged with its Fields and Variables, and the suspended record', () => {
    const logger = createMemoryLogger();
    const desktop = new Desktop({
      pluginEnabled: true,
      licence: { type: 'PerSystem' },
      campaigns: config(new FakeGateway()).campaigns,
    });
    desktop.login('agent1');
    const handle = createPopHandler(desktop, logger);
    handle({ PopId: 'p1', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    handle({
      PopId: 'p2',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-2',
      ScriptData: { 'contact name': 'Jane', var_ContactReason: 'Renewal' },
    });
    const lines = logger.entries.map((entry) => formatLine(entry, new Date('2025-01-01T10:00:00Z')));
    expect(lines).toContain(
      '10:00:00.000 INFO  suspended to Activities agent=agent1 campaign=Sales reference=R-1 activities=1',
    );
    expect(lines).toContain(
      '10:00:00.000 INFO  pop opened PopId=p2 agent=agent1 campaign=Sales reference=R-2 workflow="Sales Call" fields={"ContactName":"Jane"} variables={"ContactReason":"Renewal"}',
    );
  });

  test('fields that look like secrets are redacted', () => {
    expect(redact({ IdToken: 'x', password: 'y', agent: 'a' })).toEqual({
      IdToken: '[redacted]',
      password: '[redacted]',
      agent: 'a',
    });
  });
});

describe('startInstance', () => {
  let gateway: FakeGateway;
  let instance: RunningInstance | undefined;
  let logger: ReturnType<typeof createMemoryLogger>;

  beforeEach(async () => {
    gateway = await new FakeGateway().start();
    logger = createMemoryLogger();
  });

  afterEach(async () => {
    await instance?.stop();
    instance = undefined;
    await gateway.stop();
  });

  async function control(method: string, path: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const headers = { 'X-Control-Token': instance?.control?.token ?? '' };
    const response = await fetch(`http://127.0.0.1:${instance?.control?.port}${path}`, { method, headers });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  test('runs in-process: Desktop list, a pop opened, Login and Logout from the control surface', async () => {
    instance = await startInstance(config(gateway), { logger, controlPort: 0 });
    await instance.connector.whenConnected();
    const conn = gateway.latest();
    await eventually(() => conn.messages.length > 0);
    expect(conn.messages[0]).toEqual({ Action: 'Desktop', Agents: ['agent1', 'agent2'] });

    gateway.push(conn, {
      PopId: 'p1',
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-1',
      ScriptData: { 'Contact Name': 'Jane' },
    });
    gateway.push(conn, { PopId: 'p2', Username: 'agent2', Campaign: 'Sales', Reference: 'R-2' });
    await eventually(() => gateway.acksFor('p2').length === 2);
    expect(gateway.acksFor('p1').map((ack) => ack.Status)).toEqual(['Delivered', 'Opened']);
    expect(gateway.acksFor('p2')[1]).toMatchObject({ Status: 'Failed', Reason: 'NoLicence' });

    const agents = await control('GET', '/agents');
    expect(agents.status).toBe(200);
    expect(agents.body).toMatchObject({
      instance: 'demo-instance',
      connected: true,
      agents: [
        {
          username: 'agent1',
          licensed: true,
          current: { reference: 'R-1', fields: { ContactName: 'Jane' } },
          activities: [],
        },
        { username: 'agent2', licensed: false, current: null },
      ],
    });

    expect((await control('POST', '/agents/agent1/logout')).body).toEqual({
      agent: 'agent1',
      status: 'LoggedOut',
      seatPassedTo: 'agent2',
    });
    expect((await control('POST', '/agents/agent3/login')).body).toEqual({
      agent: 'agent3',
      status: 'LoggedIn',
      licensed: false,
    });
    expect((await control('POST', '/agents/nobody/logout')).status).toBe(404);
    expect((await control('GET', '/agents/agent2')).body).toMatchObject({ username: 'agent2', licensed: true });
    expect((await control('GET', '/nothing')).status).toBe(404);
    expect((await control('POST', '/agents/bad%01name/login')).status).toBe(400);
    expect((await control('GET', '/agents/agent1/login')).status).toBe(405);
    await eventually(() => conn.messages.length >= 7);
    expect(conn.messages.filter((message) => message.Action === 'Login' || message.Action === 'Logout')).toEqual([
      { Action: 'Logout', Username: 'agent1' },
      { Action: 'Login', Username: 'agent3' },
    ]);
  });

  test('plugin disabled: the instance does not connect and says why; enabling it connects', async () => {
    instance = await startInstance(config(gateway, { plugin: { enabled: false } }), { logger, controlPort: 0 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(gateway.authCalls).toBe(0);
    expect(gateway.connections).toHaveLength(0);
    expect(logger.entries).toContainEqual(
      expect.objectContaining({
        level: 'warn',
        message: expect.stringContaining('the Cloud API plugin is disabled (plugin.enabled: false): not connecting'),
      }),
    );
    await control('POST', '/plugin/enable');
    await instance.connector.whenConnected();
    expect(gateway.connections).toHaveLength(1);
  });

  test('PluginDisabled at run time: pops are acknowledged Failed with that Reason', async () => {
    instance = await startInstance(config(gateway), { logger, controlPort: 0 });
    await instance.connector.whenConnected();
    await control('POST', '/plugin/disable');
    gateway.push(gateway.latest(), { PopId: 'off', Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
    await eventually(() => gateway.acksFor('off').length === 2);
    expect(gateway.acksFor('off')[1]).toMatchObject({ Status: 'Failed', Reason: 'PluginDisabled' });
  });
});
