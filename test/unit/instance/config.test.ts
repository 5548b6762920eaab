import { mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { ConfigError, loadConfig, parseConfigText, validateConfig } from '../../../instance/config';

const VALID = {
  authUrl: 'http://127.0.0.1:3000/v1/auth',
  webSocketUrl: 'ws://127.0.0.1:3001/v1',
  username: 'instance-user',
  password: 'Secret-123',
  instanceName: 'demo-instance',
  plugin: { enabled: true },
  licence: { type: 'Named', users: 2, assigned: ['agent1'] },
  campaigns: [
    {
      name: 'Sales',
      type: 'external',
      active: true,
      allowRecordCreation: true,
      workflow: 'Sales Call',
      externalLinks: { 'Contact Name': { field: 'ContactName' }, var_ContactReason: { variable: 'ContactReason' } },
    },
  ],
  agents: ['agent1'],
};

function issuesOf(raw: unknown): string[] {
  try {
    validateConfig(raw, 'test.json');
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const withCampaign = (extra: Record<string, unknown>) => ({
  ...VALID,
  campaigns: [VALID.campaigns[0], { name: 'Service', type: 'external', workflow: 'Service Call', ...extra }],
});

describe('instance config', () => {
  test('the local stack demo config is valid and gets documented defaults', () => {
    const config = validateConfig(VALID);
    expect(config).toMatchObject({
      refreshUrl: 'http://127.0.0.1:3000/v1/auth/refresh',
      heartbeatSeconds: 300,
      reconnect: { minMs: 1000, maxMs: 30000 },
      maxConnectionMinutes: 110,
      overlapSeconds: 5,
      controlPort: 0,
      logLevel: 'info',
    });
    expect(config.campaigns[0]).toMatchObject({ name: 'Sales', active: true, allowRecordCreation: true });
  });

  test('optional keys default: instanceName is the username, plugin enabled, campaigns active without creation', () => {
    const { instanceName: _name, plugin: _plugin, ...rest } = VALID;
    const config = validateConfig({ ...rest, campaigns: [{ name: 'X', type: 'internal', workflow: 'W' }] });
    expect(config.instanceName).toBe('instance-user');
    expect(config.plugin.enabled).toBe(true);
    expect(config.campaigns[0]).toMatchObject({ active: true, allowRecordCreation: false, externalLinks: {} });
  });

  test('External Link keys that differ only by case are an error naming the campaign', () => {
    const raw = withCampaign({ externalLinks: { 'Contact Name': { field: 'A' }, 'contact name': { field: 'B' } } });
    expect(issuesOf(raw)).toContain(
      'campaigns[1].externalLinks: keys "Contact Name" and "contact name" differ only by case (links are case-insensitive)',
    );
  });

  test('Named licence: assigning more than N agents is a configuration error', () => {
    const raw = { ...VALID, licence: { type: 'Named', users: 1, assigned: ['agent1', 'agent2'] } };
    expect(issuesOf(raw)).toEqual(['licence.assigned: 2 agents assigned but the Named licence has only 1 user']);
  });

  test('an unknown licence type is an error listing the allowed ones', () => {
    expect(issuesOf({ ...VALID, licence: { type: 'Site' } })).toEqual([
      'licence.type: must be one of PerSystem, Concurrent, Named',
    ]);
  });

  test('a Concurrent licence needs a whole number of users', () => {
    expect(issuesOf({ ...VALID, licence: { type: 'Concurrent' } })).toEqual(['licence.users: is required']);
    expect(issuesOf({ ...VALID, licence: { type: 'Concurrent', users: 1.5 } })).toEqual([
      'licence.users: must be an integer',
    ]);
  });

  test('each licence type takes only its own keys, and the licence is required', () => {
    expect(issuesOf({ ...VALID, licence: { type: 'PerSystem', users: 3 } })).toEqual([
      'licence.users: is not a known field',
    ]);
    const { licence: _licence, ...raw } = VALID;
    expect(issuesOf(raw)).toEqual(['licence: is required']);
  });

  test('missing credentials are an error naming each key', () => {
    const { username: _u, password: _p, ...raw } = VALID;
    expect(issuesOf(raw)).toEqual(['username: is required', 'password: is required']);
  });

  test('every problem is reported at once, each naming its key', () => {
    const issues = issuesOf({
      ...VALID,
      authUrl: 'not a url',
      webSocketUrl: 'http://127.0.0.1:3001/v1',
      heartbeatSeconds: 900,
      reconnect: { minMs: 5000, maxMs: 100 },
      agents: ['a', 'a'],
      campaigns: [
        { name: 'Sales', type: 'outbound', workflow: '' },
        { name: 'SALES', type: 'internal', workflow: 'W' },
      ],
      extra: true,
    });
    // The schema's problems first (contract/instanceConfig.ts), then the rules it cannot express.
    expect(issues).toEqual([
      'extra: is not a known field',
      'campaigns[0].type: must be one of external, internal',
      'campaigns[0].workflow: must not be empty',
      'heartbeatSeconds: must be at most 540',
      'authUrl: is not a valid URL: "not a url"',
      'webSocketUrl: must be a ws or wss URL, got "http://127.0.0.1:3001/v1"',
      'campaigns[1].name: "SALES" clashes with campaigns[0].name (campaign names must differ beyond case)',
      'agents[1]: "a" is already listed at agents[0]',
      'reconnect: minMs (5000) must not exceed maxMs (100)',
    ]);
  });

  test('values of spaces only, and blank link names, are empty', () => {
    const issues = issuesOf({
      ...VALID,
      password: '   ',
      campaigns: [{ name: 'S', type: 'external', workflow: 'W', externalLinks: { ' ': { field: 'x' } } }],
    });
    expect(issues).toEqual([
      'password: must not be empty',
      'campaigns[0].externalLinks: a link name must not be empty',
    ]);
  });

  test('a document that is not an object is one problem', () => {
    expect(issuesOf(['a'])).toEqual(['the document must be an object, got an array']);
  });

  test('a link must target a field, or a variable for var_ keys', () => {
    const issues = issuesOf(
      withCampaign({
        externalLinks: {
          Reason: { variable: 'Reason' },
          var_X: { field: 'X' },
          Both: { field: 'a', variable: 'b' },
          Bad: 'x',
          None: {},
        },
      }),
    );
    expect(issues).toEqual([
      'campaigns[1].externalLinks.Bad: must be an object',
      'campaigns[1].externalLinks.Reason: only "var_" keys fill Workflow Variables; rename it "var_Reason" or link a field',
      'campaigns[1].externalLinks.var_X: "var_" keys fill Workflow Variables: use {"variable": ...}',
      'campaigns[1].externalLinks.Both: must name either a field or a variable, not both',
      'campaigns[1].externalLinks.None: must name a "field" or a "variable"',
    ]);
  });

  test('internal campaigns take no External Links', () => {
    expect(issuesOf(withCampaign({ type: 'internal', externalLinks: { A: { field: 'A' } } }))).toEqual([
      'campaigns[1].externalLinks: internal campaigns take ScriptData as it is; External Links apply only to external campaigns',
    ]);
  });

  test("maxConnectionMinutes must stay under API Gateway's 2-hour cap", () => {
    expect(issuesOf({ ...VALID, maxConnectionMinutes: 120 })).toEqual(['maxConnectionMinutes: must be at most 119']);
  });

  test('JSON and YAML files load; a parse error names the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'instance-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify(VALID));
    writeFileSync(
      join(dir, 'a.yaml'),
      [
        'authUrl: http://127.0.0.1:3000/v1/auth',
        'webSocketUrl: ws://127.0.0.1:3001/v1',
        'username: u',
        'password: p',
        'licence: {type: Concurrent, users: 3}',
        'campaigns:',
        '  - {name: Sales, type: external, workflow: Sales Call, externalLinks: {Contact Name: {field: ContactName}}}',
      ].join('\n'),
    );
    expect(loadConfig(join(dir, 'a.json')).instanceName).toBe('demo-instance');
    expect(loadConfig(join(dir, 'a.yaml'))).toMatchObject({
      licence: { type: 'Concurrent', users: 3 },
      campaigns: [{ name: 'Sales' }],
    });
    expect(() => parseConfigText('{"authUrl": ', 'broken.json')).toThrow(
      /Invalid instance config \(broken\.json\):\n {2}- cannot parse the file/,
    );
    expect(() => loadConfig(join(dir, 'missing.json'))).toThrow(/cannot read the file: ENOENT/);
  });
});
