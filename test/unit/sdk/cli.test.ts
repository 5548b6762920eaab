/**
 * The `remote-pop` command (sdk/src/cli.ts) against the fake API: human and JSON output, exit codes (0 done,
 * 1 refused with the code, 2 usage, 3 unavailable), credentials only from the environment.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { createServer } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { EXIT, runCli } from '../../../sdk/src/cli';
import { fail, FakeApi, ok, PASSWORD, popStatus, USERNAME } from './fakeApi';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(() => api.stop());

async function run(
  args: string[],
  env: Record<string, string> = {
    REMOTE_POP_URL: api.url,
    REMOTE_POP_USERNAME: USERNAME,
    REMOTE_POP_PASSWORD: PASSWORD,
  },
) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, { env, stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

it('pops with ScriptData from --data, printing the PopId for people or as JSON', async () => {
  const human = await run([
    'pop',
    '--agent',
    'agent1',
    '--campaign',
    'Sales',
    '--reference',
    'ORDER-1',
    '--data',
    'Contact Name=Ada',
    '--data',
    'var_Note=a=b',
  ]);
  expect(human).toMatchObject({ code: EXIT.done, stderr: '' });
  expect(human.stdout).toMatch(/^Popped pop-1 \(Idempotency-Key [0-9a-f-]{36}\)\n$/);
  expect(JSON.parse(api.of('POST /pop')[0]!.body)).toEqual({
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: 'ORDER-1',
    ScriptData: { 'Contact Name': 'Ada', var_Note: 'a=b' },
  });

  const json = await run(['pop', '--agent', 'agent1', '--campaign', 'Sales', '--idempotency-key', 'k-1', '--json']);
  expect(JSON.parse(json.stdout)).toEqual({ PopId: 'pop-2', IdempotencyKey: 'k-1' });
  expect(api.of('POST /pop')[1]!.headers['idempotency-key']).toBe('k-1');
});

it('status and watch print each status; watch ends 0 on Opened and 1 when the pop failed', async () => {
  expect((await run(['status', 'p-1'])).stdout).toMatch(
    /^p-1 Sent: agent agent1, campaign Sales reference R-1, updated /,
  );
  expect(JSON.parse((await run(['status', 'p-1', '--json'])).stdout)).toMatchObject({ PopId: 'p-1', Status: 'Sent' });

  const steps = ['Delivered', 'Opened'];
  api.on('GET /pops/*', (_r, nth) => (nth > 2 ? ok(popStatus('p-2', steps[Math.min(nth - 3, 1)]!)) : undefined));
  const watched = await run(['watch', 'p-2', '--json']);
  expect(watched.code).toBe(EXIT.done);
  expect(
    watched.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).Status),
  ).toEqual(['Delivered', 'Opened']);

  api.on('GET /pops/*', () => ok(popStatus('p-3', 'Failed', 'NoLicence')));
  const failed = await run(['watch', 'p-3']);
  expect(failed.code).toBe(EXIT.refused);
  expect(failed.stdout).toContain('p-3 Failed (NoLicence)');
  expect(failed.stderr).toContain('NoLicence');
});

it('a refusal exits 1 with the code; an outage exits 3', async () => {
  api.on('POST /pop', () => fail(404, 'AgentNotOnDesktop'));
  const refused = await run(['pop', '--agent', 'nobody', '--campaign', 'Sales', '--json']);
  expect(refused.code).toBe(EXIT.refused);
  expect(JSON.parse(refused.stdout)).toMatchObject({
    error: { kind: 'refused', code: 'AgentNotOnDesktop', status: 404, requestId: expect.any(String) },
  });
  expect(refused.stderr).toMatch(/^Error: refused: POST \/pop failed with 404 AgentNotOnDesktop/);

  api.on('GET /pops/*', () => fail(503, 'ServiceUnavailable', { 'Retry-After': '60' }));
  const down = await run(['status', 'p-1']);
  expect(down.code).toBe(EXIT.unavailable);
  expect(down.stderr).toContain('unavailable');
});

it.each([
  [[], /Usage: remote-pop/],
  [['launch'], /unknown command "launch"/],
  [['pop', '--campaign', 'Sales'], /pop needs --agent/],
  [['pop', '--agent', 'a', '--campaign', 'Sales', '--data', 'no-equals'], /--data takes 'Name=value'/],
  [['pop', '--agent', 'a', '--campaign', 'Sales', '--password', 'x'], /Unknown option '--password'/],
  [['status'], /status takes one PopId/],
  [['watch', 'p-1', '--timeout', 'soon'], /--timeout takes a number/],
])('usage error %j exits 2 without calling the API', async (args, message) => {
  const result = await run(args);
  expect(result.code).toBe(EXIT.usage);
  expect(result.stderr).toMatch(message);
  expect(api.requests).toEqual([]);
});

it('missing credentials in the environment are a usage error; --help exits 0', async () => {
  const result = await run(['status', 'p-1'], { REMOTE_POP_URL: api.url, LOCAL_DIR: '/nonexistent' });
  expect(result).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('REMOTE_POP_USERNAME') });
  const help = await run(['--help'], { LOCAL_DIR: '/nonexistent' });
  expect(help).toMatchObject({ code: EXIT.done, stderr: '' });
  expect(help.stdout).toContain('Exit codes');
});

it('pop --wait pops and follows it to Opened; validate, recall and campaigns call their operation', async () => {
  api.on('GET /pops/*', () => ok(popStatus('pop-1', 'Opened')));
  const waited = await run(['pop', '--agent', 'agent1', '--campaign', 'Sales', '--wait', '--timeout', '5']);
  expect(waited.code).toBe(EXIT.done);
  expect(waited.stdout).toMatch(/^Popped pop-1 .*\npop-1 Opened: agent agent1/);

  api.on('POST /pop/validate', () =>
    ok({ Valid: true, Checks: ['AgentOnDesktop'], Instances: 1, UncheckedInstances: 0 }),
  );
  const valid = await run(['validate', '--agent', 'agent1', '--campaign', 'Sales', '--json']);
  expect(JSON.parse(valid.stdout)).toMatchObject({ Valid: true, Instances: 1 });
  expect(JSON.parse(api.of('POST /pop/validate')[0]!.body)).toEqual({ Username: 'agent1', Campaign: 'Sales' });

  api.on('DELETE /pops/*', () => ok(popStatus('p-9', 'Recalled')));
  expect((await run(['recall', 'p-9'])).stdout).toMatch(/^p-9 Recalled: /);

  const sales = { Name: 'Sales', Agents: 2, Instances: [] };
  api.on('GET /campaigns', () => ok({ Campaigns: [sales] }));
  expect((await run(['campaigns'])).stdout).toMatch(/^Sales: 2 agent\(s\) can receive it/);
});

it('events prints each event with its cursor and resumes --after one; webhooks create, list, rotate, test, delete', async () => {
  const event = { Cursor: '7', EventId: 'e7', Type: 'pop.status', PopId: 'p-1', Status: 'Opened', Username: 'agent1' };
  api.on('GET /events*', (request) =>
    request.path.includes('after=7') ? ok({ Events: [], Cursor: '7' }) : ok({ Events: [event], Cursor: '7' }),
  );
  const feed = await run(['events', '--after', '3', '--limit', '10']);
  expect(feed).toMatchObject({ code: EXIT.done, stdout: expect.stringMatching(/^7 .* p-1 Opened agent agent1\n$/) });
  expect(api.of('GET /events*').map((r) => r.path)).toEqual(['/events?after=3&limit=10', '/events?after=7&limit=10']);

  const hook = { WebhookId: 'w-1', Url: 'https://example.com/h', Events: ['Opened'], State: 'Active', DeadLettered: 0 };
  api.on('POST /webhooks', () => ok({ ...hook, Secret: 'whsec_x' }));
  api.on('GET /webhooks', () => ok({ Webhooks: [hook] }));
  api.on('POST /webhooks/*', (request) =>
    request.path.endsWith('/test')
      ? ok({ WebhookId: 'w-1', MessageId: 'm-1' }, 202)
      : ok({ WebhookId: 'w-1', Secret: 'whsec_y', PreviousSecretExpiresAt: '2026-01-02T00:00:00Z' }),
  );
  api.on('DELETE /webhooks/*', () => ok({}));
  const created = await run(['webhooks', 'create', '--url', 'https://example.com/h', '--event', 'Opened']);
  expect(created.stdout).toContain('Secret (shown once): whsec_x');
  expect(JSON.parse(api.of('POST /webhooks')[0]!.body)).toEqual({ Url: 'https://example.com/h', Events: ['Opened'] });
  expect((await run(['webhooks', 'list'])).stdout).toMatch(/^w-1 Active https:\/\/example.com\/h/);
  expect((await run(['webhooks', 'rotate', 'w-1'])).stdout).toContain('whsec_y');
  expect((await run(['webhooks', 'test', 'w-1'])).stdout).toContain('Test delivery queued (m-1)');
  expect((await run(['webhooks', 'delete', 'w-1'])).stdout).toBe('Deleted w-1\n');
  expect((await run(['webhooks', 'frob'])).code).toBe(EXIT.usage);
});

it('an address where nothing listens: exit 3 at once, naming the URL and the cause', async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve)); // a port where nothing listens now
  const started = Date.now();
  const result = await run(['status', 'p-1'], {
    REMOTE_POP_URL: `http://127.0.0.1:${port}/v1`,
    REMOTE_POP_USERNAME: USERNAME,
    REMOTE_POP_PASSWORD: PASSWORD,
  });
  expect(result.code).toBe(EXIT.unavailable);
  expect(result.stderr).toContain(`Error: unreachable: no answer from http://127.0.0.1:${port}/v1/auth: ECONNREFUSED`);
  // Not the SDK's 30-second retry deadline: the first refused connection ends it (a generous bound for a busy machine).
  expect(Date.now() - started).toBeLessThan(15_000);
});

it('an address where nothing listens: once it has exited, nothing it started goes on retrying', async () => {
  // GIVEN a port where nothing listens and a fetch that keeps every request's signal
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  const signals: AbortSignal[] = [];
  const fetch = (input: string, init: RequestInit) => {
    signals.push(init.signal!);
    return globalThis.fetch(input, init);
  };
  // WHEN the command has printed its error and returned its exit code
  const env = {
    REMOTE_POP_URL: `http://127.0.0.1:${port}/v1`,
    REMOTE_POP_USERNAME: USERNAME,
    REMOTE_POP_PASSWORD: PASSWORD,
  };
  const code = await runCli(['status', 'p-1'], { env, stdout: () => undefined, stderr: () => undefined, fetch });
  // THEN every request it made, the sign-in its command no longer waited for included, is cancelled with its retries
  // (a request's signal also ends its retry waits, sdk/src/transport.ts): nothing keeps the process alive.
  expect(code).toBe(EXIT.unavailable);
  expect(signals.length).toBeGreaterThan(0);
  expect(signals.map((signal) => signal.aborted)).toEqual(signals.map(() => true));
});

it('a base URL without the stage: the 404 says to add /v1', async () => {
  // API Gateway's own answer to a path outside the stage (local/gateway/restServer.ts does the same).
  api.on('GET /auth', (request) => (request.headers['x-stage'] === undefined ? fail(404, 'NotFound') : undefined));
  const bare = api.url.replace(/\/v1$/, '');
  const result = await run(['status', 'p-1'], {
    REMOTE_POP_URL: bare,
    REMOTE_POP_USERNAME: USERNAME,
    REMOTE_POP_PASSWORD: PASSWORD,
  });
  expect(result.code).toBe(EXIT.refused);
  expect(result.stderr).toContain(`REMOTE_POP_URL ${bare} has no stage: the RestApiUrl ends in /v1, e.g. ${bare}/v1`);
});

it('without REMOTE_POP_URL, the local stack: $LOCAL_DIR/demo.env', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-cli-'));
  writeFileSync(
    path.join(dir, 'demo.env'),
    `export REMOTE_POP_URL='${api.url}'\nexport REMOTE_POP_USERNAME='${USERNAME}'\nexport REMOTE_POP_PASSWORD='${PASSWORD.replace(/'/g, "'\\''")}'\n`,
  );
  try {
    expect((await run(['status', 'p-1'], { LOCAL_DIR: dir })).stdout).toMatch(/^p-1 Sent/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('pop --hold: HoldSeconds sent, Held printed; --wait follows Held to Expired (exit 1, HoldExpired); a bad --hold is usage', async () => {
  api.on('POST /pop', () => ok({ PopId: 'pop-h', Status: 'Held' }, 202));
  const steps = ['Held', 'Expired'];
  api.on('GET /pops/*', (_r, nth) =>
    ok(popStatus('pop-h', steps[Math.min(nth - 1, 1)]!, nth > 1 ? 'HoldExpired' : undefined)),
  );
  const held = await run([
    'pop',
    '--agent',
    'agent1',
    '--campaign',
    'Sales',
    '--hold',
    '30',
    '--wait',
    '--timeout',
    '5',
  ]);
  expect(JSON.parse(api.of('POST /pop')[0]!.body)).toMatchObject({ Username: 'agent1', HoldSeconds: 30 });
  expect(held.stdout).toMatch(
    /^Held pop-h .*on no Desktop.*Expired after 30 s\npop-h Held: .*\npop-h Expired \(HoldExpired\)/,
  );
  expect(held.code).toBe(EXIT.refused);
  expect(held.stderr).toContain('HoldExpired');
  const json = await run(['pop', '--agent', 'agent1', '--campaign', 'Sales', '--hold', '30', '--json']);
  expect(JSON.parse(json.stdout)).toMatchObject({ PopId: 'pop-h', Status: 'Held' });

  api.on('POST /pop/validate', () =>
    ok({ Valid: true, Checks: [], Instances: 0, UncheckedInstances: 0, Status: 'Held' }),
  );
  expect((await run(['validate', '--agent', 'agent1', '--campaign', 'Sales', '--hold', '30'])).stdout).toMatch(
    /^Would be held: agent agent1 is on no Desktop/,
  );
  for (const bad of ['0', '86401', '1.5', 'soon'])
    expect((await run(['pop', '--agent', 'a', '--campaign', 'Sales', '--hold', bad])).code).toBe(EXIT.usage);
});
