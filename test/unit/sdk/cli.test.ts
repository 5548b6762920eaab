/**
 * The `remote-pop` command (sdk/src/cli.ts) against the fake API: human and JSON output, exit codes (0 done,
 * 1 refused with the code, 2 usage, 3 unavailable), credentials only from the environment.
 */
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
  const result = await run(['status', 'p-1'], { REMOTE_POP_URL: api.url });
  expect(result).toMatchObject({ code: EXIT.usage, stderr: expect.stringContaining('REMOTE_POP_USERNAME') });
  const help = await run(['--help'], {});
  expect(help).toMatchObject({ code: EXIT.done, stderr: '' });
  expect(help.stdout).toContain('Exit codes');
});
