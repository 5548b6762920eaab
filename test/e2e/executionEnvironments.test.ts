/**
 * Execution environments (local/gateway/environments.ts): what only a Lambda-like runtime shows. Fixture functions
 * (support/fixtures/environments/handlers.ts) stand in for authToken and authRefresh, each environment a worker
 * thread of its own: module state is not shared between concurrent invocations, a timeout ends the environment and
 * is answered 502, a cold start is in the REPORT line, and the concurrency limit refuses an invocation as a
 * throttled Lambda is refused.
 */
import { memoryOf } from '../../lib/functionMemory';
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { silentLog } from '../../local/gateway/log';
import { startLocalStack, type LocalStack } from '../../local/stack';

jest.setTimeout(60_000);

const FIXTURES = path.join(__dirname, 'support', 'fixtures', 'environments', 'handlers.ts');

let stack: LocalStack;
let dir: string;
const platformLines: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-environments-'));
  stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir: dir,
    log: silentLog,
    runtime: 'environments',
    factoryModules: { authToken: FIXTURES, authRefresh: FIXTURES },
    environments: {
      // Long enough for the throttle test's busy invocation to be surely running when the second call comes, on a
      // busy machine too; the timeout test sleeps past it.
      timeoutSeconds: { authRefresh: 3 },
      concurrency: { authRefresh: 1 },
      platformLog: (line) => platformLines.push(line),
    },
  });
});

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const linesOf = (functionName: string, kind: string) =>
  platformLines.filter((line) => line.startsWith(`[remote-pop-local-${functionName}] ${kind}`));

function moduleStateCall(id: string): Promise<Response> {
  return fetch(`${stack.endpoints.RestApiUrl}/auth`, { headers: { 'x-fixture-id': id, 'x-fixture-sleep-ms': '400' } });
}

function sleepingCall(sleepMs: number): Promise<Response> {
  return fetch(`${stack.endpoints.RestApiUrl}/auth/refresh`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'x-fixture-sleep-ms': String(sleepMs) },
    body: '{}',
  });
}

describe('execution environments', () => {
  it('shows a cold start in the REPORT line of the first invocation only', async () => {
    // WHEN two invocations follow each other
    expect((await moduleStateCall('first')).status).toBe(200);
    expect((await moduleStateCall('second')).status).toBe(200);
    // THEN the first REPORT has an Init Duration, the second (a warm environment) none
    const reports = linesOf('authToken', 'REPORT');
    expect(reports).toHaveLength(2);
    // (Memory Size: the function's memory as deployed, lib/functionMemory.ts)
    expect(reports[0]).toMatch(
      new RegExp(
        `\tDuration: [\\d.]+ ms\tBilled Duration: \\d+ ms\tMemory Size: ${memoryOf('authToken')} MB\tInit Duration: [\\d.]+ ms$`,
      ),
    );
    expect(reports[1]).not.toContain('Init Duration');
    expect(linesOf('authToken', 'START')).toHaveLength(2);
    expect(linesOf('authToken', 'END')).toHaveLength(2);
  });

  it('gives concurrent invocations separate module state, so a handler relying on sharing it fails', async () => {
    // WHEN two invocations run at the same time
    const answers = await Promise.all([moduleStateCall('a'), moduleStateCall('b')]);
    const seen = await Promise.all(answers.map(async (answer) => ((await answer.json()) as { seen: string[] }).seen));
    // THEN each ran in an environment of its own and saw only itself (in one event loop both would see both)
    expect(answers.map((answer) => answer.status)).toEqual([200, 200]);
    expect(seen).toEqual([['a'], ['b']]);
  });

  it('answers 502 past the timeout, logs it as Lambda does, and discards the environment', async () => {
    // WHEN the function sleeps past its 3-second timeout
    const answer = await sleepingCall(10_000);
    // THEN API Gateway's 502 in the envelope, and Lambda's timeout line and REPORT status
    expect(answer.status).toBe(502);
    expect(((await answer.json()) as { Success: boolean }).Success).toBe(false);
    expect(platformLines.some((line) => line.includes('Task timed out after 3.00 seconds'))).toBe(true);
    expect(linesOf('authRefresh', 'REPORT').at(-1)).toContain('Status: timeout');
    // AND the next invocation gets a new environment: a cold start again
    expect((await sleepingCall(0)).status).toBe(200);
    expect(linesOf('authRefresh', 'REPORT').at(-1)).toContain('Init Duration');
  });

  it('refuses an invocation beyond the concurrency limit as API Gateway answers a throttled Lambda', async () => {
    // GIVEN authRefresh's one environment is busy: its invocation has started (its START line), and sleeps 2.5 s
    const started = linesOf('authRefresh', 'START').length;
    const busy = sleepingCall(2_500);
    while (linesOf('authRefresh', 'START').length === started) await new Promise((resolve) => setTimeout(resolve, 10));
    // WHEN a second call comes
    const refused = await sleepingCall(0);
    // THEN Lambda refuses it and API Gateway answers 500 in the envelope; the first one completes
    expect(refused.status).toBe(500);
    expect(refused.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await refused.json()).toMatchObject({ Success: false, Error: { Code: 'InternalError' } });
    expect((await busy).status).toBe(200);
    expect((await sleepingCall(0)).status).toBe(200);
  });
});
