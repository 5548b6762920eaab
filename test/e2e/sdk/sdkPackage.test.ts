/**
 * The SDK as a caller gets it: `npm run sdk:pack` (sdk/pack.ts: sdk/build.ts, then `npm pack` in sdk/; packed once for
 * the e2e run, test/e2e/support/sdkTarball.ts), the tarball installed offline into an empty folder (it has no dependency), then used from CommonJS and from an ES module, and its `remote-pop`
 * bin run. The built library holds no contract/ code beyond the constants it inlines and no schema library. The API
 * reference (TypeDoc, `npm run sdk:docs`) builds without a warning.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { POP_STATUSES } from '../../../contract/statuses';
import { sdkTarball, type SdkTarball } from '../support/sdkTarball';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
const SDK = path.join(ROOT, 'sdk');
let consumer: string;
let packed: SdkTarball;

beforeAll(async () => {
  packed = await sdkTarball();
  consumer = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-sdk-consumer-'));
});
afterAll(() => rmSync(consumer, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string) =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

it('installs from the packed tarball and works from CommonJS, ESM and its bin', () => {
  expect([...packed.files].sort()).toEqual(
    expect.arrayContaining([
      'dist/index.cjs',
      'dist/index.mjs',
      'dist/types/index.d.ts',
      'dist/bin.cjs',
      'README.md',
      'package.json',
    ]),
  );
  expect(packed.files.some((f) => f.startsWith('src/') || f.includes('typecheck'))).toBe(false);

  writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }),
  );
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', packed.tarball], consumer);

  const cjs = run(
    process.execPath,
    [
      '-e',
      "const sdk = require('@remote-pop/client'); const c = new sdk.RemotePopClient({ baseUrl: 'http://x/v1', username: 'u', password: 'p' }); console.log(typeof c.pop, sdk.isRetryable(503, 'ServiceUnavailable'), new sdk.RefusedError({ code: 'AgentNotOnDesktop', operation: 'POST /pop' }) instanceof sdk.RemotePopError)",
    ],
    consumer,
  );
  expect(cjs.trim()).toBe('function true true');
  writeFileSync(
    path.join(consumer, 'check.mjs'),
    "import { RemotePopClient, verifyWebhook, POP_STATUSES } from '@remote-pop/client';\nconsole.log(typeof RemotePopClient, typeof verifyWebhook, POP_STATUSES.join(','));\n",
  );
  expect(run(process.execPath, ['check.mjs'], consumer).trim()).toBe(`function function ${POP_STATUSES.join(',')}`);

  const bin = path.join(consumer, 'node_modules/.bin/remote-pop');
  expect(run(bin, ['--help'], consumer)).toContain('Usage: remote-pop');
  let usage: { status?: number; stderr?: string } = {};
  try {
    execFileSync(bin, ['pop'], {
      cwd: consumer,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH },
    });
  } catch (error) {
    usage = error as typeof usage;
  }
  // With no REMOTE_POP_* and no local stack's demo.env, the first thing missing is where to pop (sdk/src/cli.ts).
  expect(usage).toMatchObject({ status: 2, stderr: expect.stringContaining('pop needs REMOTE_POP_URL') });
});

it('bundles no contract module and no schema library, and its declarations stand alone', () => {
  for (const file of ['index.mjs', 'index.cjs']) {
    const code = readFileSync(path.join(SDK, 'dist', file), 'utf8');
    expect(code).not.toMatch(/typebox|ajv|require\(|from ['"]/);
    expect(code).toContain('RequestInProgress');
  }
  const declarations = run('grep', ['-rhoE', "from '[^']+'", path.join(SDK, 'dist/types')], ROOT);
  expect(
    declarations
      .split('\n')
      .filter(Boolean)
      .every((line) => /from '\.\/\w+'/.test(line)),
  ).toBe(true);
});

it('builds the API reference with TypeDoc without a warning', () => {
  const output = run(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/typedoc/bin/typedoc'),
      '--options',
      path.join(SDK, 'typedoc.json'),
      '--out',
      path.join(consumer, 'api-docs'),
    ],
    ROOT,
  );
  expect(output).not.toMatch(/warning|error/i);
  expect(readFileSync(path.join(consumer, 'api-docs/classes/RemotePopClient.html'), 'utf8')).toContain('waitFor');
});
