/**
 * The documents' commands run as written, in order, against the local stack: README.md's quick start (curl, the
 * SDK's CLI, the SDK packed and used from an ES module) and docs/http-api.md's walkthrough, each in one bash session
 * so that every variable a command uses is one a line before it set. What stands in for the reader is marked `glue`
 * below: the stack is globalSetup's (the quick start's `npm ci` / `npm start` block), `LOCAL_DIR` points at it, and
 * "in your project" is an empty folder with the tarball installed and the README's ES module saved as pop.mjs.
 */
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { sharedStack, startTestInstance, stopTestInstances } from './support/instanceHarness';
import { recordSecret } from './support/secrets';
import { SDK_PACK_COMMAND, sdkTarball } from './support/sdkTarball';

jest.setTimeout(240_000);
afterAll(stopTestInstances);

const ROOT = path.resolve(__dirname, '../..');
const LOCAL_DIR = process.env.E2E_LOCAL_DIR!;

/** The fenced blocks of one `## ` section of a Markdown file, in order, with their language. */
function blocksOf(file: string, section?: string): { lang: string; code: string }[] {
  let text = readFileSync(path.join(ROOT, file), 'utf8');
  if (section) {
    const start = text.indexOf(`\n## ${section}\n`);
    expect(start).toBeGreaterThan(0);
    const end = text.indexOf('\n## ', start + 1);
    text = text.slice(start, end < 0 ? undefined : end);
  }
  return [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }));
}

/**
 * One bash session (`set -eo pipefail`: the first failing command ends it) in the checkout, against the e2e stack.
 * Asynchronous: the demo instance runs in this process and must answer its pushes meanwhile.
 */
function bash(script: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn('bash', ['-c', `set -eo pipefail\n${script}`], {
    cwd: ROOT,
    env: { ...process.env, LOCAL_DIR, REMOTE_POP_URL: '', REMOTE_POP_USERNAME: '', REMOTE_POP_PASSWORD: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** The demo instance `npm start` runs (agent1 on its Desktop), with the credentials the stack wrote to instance.json. */
async function startDemoInstance(): Promise<void> {
  const config = JSON.parse(readFileSync(path.join(LOCAL_DIR, 'instance.json'), 'utf8')) as {
    username: string;
    password: string;
  };
  const user = { tenant: 'demo', role: 'instance' as const, username: config.username, password: config.password };
  await startTestInstance(sharedStack(), user, { agents: ['agent1'] });
}

/** The JSON objects in curl's output, which ends each answer without a newline. */
function jsonValues(text: string): unknown[] {
  const values: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
    } else if (c === '"' && depth > 0) inString = true;
    else if (c === '{' && depth++ === 0) start = i;
    else if (c === '}' && depth > 0 && --depth === 0) values.push(JSON.parse(text.slice(start, i + 1)));
  }
  return values;
}

let work: string;
beforeAll(async () => {
  work = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-quick-start-'));
  await startDemoInstance();
  const demoEnv = readFileSync(path.join(LOCAL_DIR, 'demo.env'), 'utf8');
  recordSecret('password', /REMOTE_POP_PASSWORD='([^']*)'/.exec(demoEnv)![1]!.replace(/'\\''/g, "'"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

test('demo.env is owner-only and sourceable', async () => {
  const file = path.join(LOCAL_DIR, 'demo.env');
  expect(spawnSync('stat', ['-c', '%a', file], { encoding: 'utf8' }).stdout.trim()).toBe('600');
  const sourced = await bash(`source ${JSON.stringify(file)}\necho "$REMOTE_POP_URL $REMOTE_POP_USERNAME"`);
  expect(sourced.stdout.trim()).toBe(`${sharedStack().endpoints.RestApiUrl} demo-api`);
});

test("README.md's quick start, in order: curl, the CLI, the SDK from an ES module", async () => {
  const blocks = blocksOf('README.md', 'Quick start');
  const shell = blocks.filter((b) => b.lang === 'bash').map((b) => b.code);
  const esm = blocks.filter((b) => b.lang === 'js');
  expect(shell[0]!.trim()).toBe('npm ci\nnpm start'); // what globalSetup did
  expect(shell).toHaveLength(5);
  expect(esm).toHaveLength(1);
  writeFileSync(
    path.join(work, 'package.json'),
    JSON.stringify({ name: 'my-project', version: '1.0.0', private: true }),
  );
  const [, curl, cli, pack, run] = shell;
  // The pack block is run once for the e2e run, as written, by the tarball's one packer (sdkPackage.test.ts installs it
  // too); the path it printed is installed from this run's copy.
  expect(pack!.trim()).toBe(SDK_PACK_COMMAND);
  const { tarball } = await sdkTarball();
  const script = [
    curl,
    cli,
    `cd ${JSON.stringify(work)}`, // glue: "in your project"
    `npm install --offline --no-audit --no-fund ${JSON.stringify(tarball)} > /dev/null`, // glue: "that path"
    `cat > pop.mjs <<'EOF'\n${esm[0]!.code}EOF`,
    run,
  ].join('\n');
  const result = await bash(script);
  expect({ status: result.status, output: result.status === 0 ? '' : result.stdout + result.stderr }).toEqual({
    status: 0,
    output: '',
  });
  // The curl pop's status, the CLI's pop followed to Opened, its events, then the ES module's pop opened.
  expect(result.stdout).toMatch(/"Success":true,"Result":\{"PopId":"[^"]+"/);
  expect(result.stdout).toMatch(/^Popped \S+ \(Idempotency-Key /m);
  expect(result.stdout).toMatch(/ Opened: agent agent1, campaign Sales reference ORDER-1002/);
  expect(result.stdout).toMatch(
    /Status: 'Opened'[\s\S]*Reference: 'ORDER-1003'|Reference: 'ORDER-1003'[\s\S]*Status: 'Opened'/,
  );
});

test("docs/http-api.md's walkthrough, in order: every call answers in the envelope", async () => {
  const shell = blocksOf('docs/http-api.md')
    .filter((b) => b.lang === 'bash')
    .map((b) => b.code);
  expect(shell.length).toBeGreaterThanOrEqual(8);
  const result = await bash(shell.join('\n'));
  expect({ status: result.status, output: result.status === 0 ? '' : result.stdout + result.stderr }).toEqual({
    status: 0,
    output: '',
  });
  const answers = jsonValues(result.stdout) as { Success: boolean; Error?: { Code: string } }[];
  // refresh, validate, campaigns, status, recall, events, webhook created, webhooks listed
  expect(answers.length).toBeGreaterThanOrEqual(8);
  for (const answer of answers) expect(answer.Success || ['AlreadyOpened'].includes(answer.Error!.Code)).toBe(true);
  // echo "$POP_ID" (after the refresh's answer, which ends without a newline): the pop read and recalled after it.
  const popId = /\}([0-9a-f-]{36})\n/.exec(result.stdout)?.[1];
  expect(answers).toContainEqual(expect.objectContaining({ Result: expect.objectContaining({ PopId: popId }) }));
});
