/**
 * No password, Basic header, IdToken or RefreshToken in any error the SDK throws (message, stack, cause, JSON,
 * util.inspect) or in any line it logs, across every failure path: sign-in refused, refresh refused, a 401, an outage
 * past the deadline, a network failure, a refusal, a wait that times out, the CLI's output.
 */
import { inspect } from 'node:util';
import { RemotePopClient } from '../../../sdk/src';
import { runCli } from '../../../sdk/src/cli';
import { fail, FakeApi, PASSWORD, USERNAME } from './fakeApi';

let api: FakeApi;
beforeEach(async () => {
  api = await FakeApi.start();
});
afterEach(() => api.stop());

const AGENT_POP = { Username: 'agent1', Campaign: 'Sales' };

function secretsOf(api: FakeApi): string[] {
  const basic = Buffer.from(`${USERNAME}:${PASSWORD}`, 'utf8').toString('base64');
  const tokens = api.requests.flatMap((r) => [
    String(r.headers.authorization ?? '').replace(/^(Bearer|Basic) /, ''),
    r.body.match(/refresh-token-[^"]+/)?.[0] ?? '',
  ]);
  return [PASSWORD, basic, 'refresh-token-1-secret', ...tokens].filter((s) => s.length > 8);
}

function everythingSaid(errors: unknown[], lines: string[]): string {
  const forms = errors.flatMap((error) => [
    String(error),
    inspect(error, { depth: 10, showHidden: true }),
    JSON.stringify(error),
    (error as Error).stack ?? '',
  ]);
  return [...forms, ...lines].join('\n');
}

it('says no secret in any error or log line', async () => {
  const lines: string[] = [];
  const errors: unknown[] = [];
  const remotePop = new RemotePopClient({
    baseUrl: api.url,
    username: USERNAME,
    password: PASSWORD,
    // A generous deadline for the calls that succeed (a busy machine is slow); the 503 pop below gets a short one.
    retry: { baseDelayMs: 5, deadlineMs: 10_000 },
    refreshBeforeExpiryMs: 3_599_990,
    logger: (line) => lines.push(line),
  });
  const capture = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => errors.push(error),
    );

  await remotePop.pop(AGENT_POP); // signed in: tokens now exist to leak
  api.on('POST /auth/refresh', () => fail(401, 'NotAuthorized'));
  api.validTokens.clear();
  await remotePop.pop(AGENT_POP); // 401, refresh refused, Basic again
  api.on('POST /pop', () => fail(503, 'ServiceUnavailable'));
  await capture(remotePop.pop(AGENT_POP, { deadlineMs: 150 }));
  api.on('POST /pop', () => fail(404, 'AgentNotOnDesktop'));
  await capture(remotePop.pop(AGENT_POP));
  await capture(remotePop.waitFor('p1', { until: 'final', timeoutMs: 50 }));
  await capture(
    new RemotePopClient({
      baseUrl: api.url,
      username: USERNAME,
      password: `${PASSWORD}x`,
      logger: (line) => lines.push(line),
    }).pop(AGENT_POP),
  );
  const unreachable = new RemotePopClient({
    baseUrl: 'http://127.0.0.1:9/v1',
    username: USERNAME,
    password: PASSWORD,
    retry: { deadlineMs: 100 },
  });
  await capture(unreachable.pop(AGENT_POP));
  const cli: string[] = [];
  const env = { REMOTE_POP_URL: api.url, REMOTE_POP_USERNAME: USERNAME, REMOTE_POP_PASSWORD: PASSWORD };
  await runCli(['pop', '--agent', 'agent1', '--campaign', 'Sales', '--json'], {
    env,
    stdout: (t) => cli.push(t),
    stderr: (t) => cli.push(t),
  });

  expect(errors.map((e) => (e as { code: string }).code)).toEqual([
    expect.stringMatching(/ServiceUnavailable|DeadlineExceeded/),
    'AgentNotOnDesktop',
    'WaitTimeout',
    'NotAuthorized',
    expect.stringMatching(/NetworkError|DeadlineExceeded/),
  ]);
  expect(lines.some((line) => line.includes('refresh refused'))).toBe(true);
  expect(cli.join('')).toContain('AgentNotOnDesktop');
  const said = everythingSaid(errors, [...lines, ...cli]);
  const secrets = secretsOf(api);
  expect(secrets.length).toBeGreaterThanOrEqual(5);
  for (const secret of secrets)
    expect(said.includes(secret) ? `leaked ${secret.slice(0, 3)}...` : 'clean').toBe('clean');
});
