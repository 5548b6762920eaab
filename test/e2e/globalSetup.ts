/**
 * Starts ONE local stack for the whole e2e run, on free ports, in a temporary LOCAL_DIR, without the demo instance.
 * Test files find it through process.env (inherited by jest's workers): E2E_ENDPOINTS (JSON), E2E_ENDPOINTS_FILE,
 * E2E_TEST_HOOKS_URL (the gateway's `/__local` test hooks) and E2E_LOCAL_DIR (logs: stack.log for the handlers, gateway.log, cognito/).
 */
import { spawn } from 'child_process';
import { mkdtempSync, openSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { recordSecret } from './support/secrets';
import type { StackProcessReady } from './support/stackProcess';

const ROOT = path.resolve(__dirname, '../..');

export interface E2eStackHandle {
  stop(): Promise<void>;
}

declare global {
  // eslint-disable-next-line no-var
  var __REMOTE_POP_E2E_STACK__: E2eStackHandle | undefined;
}

export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const localDir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-e2e-'));
  // The handlers' own logs (Powertools writes to stdout) go to a file, not into jest's output.
  const output = openSync(path.join(localDir, 'stack.log'), 'a');
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'local/parentWatch.js'), '-r', 'tsx/cjs', path.join(__dirname, 'support/stackProcess.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, E2E_LOCAL_DIR: localDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['pipe', output, output, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const ready = await new Promise<StackProcessReady>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The e2e local stack did not start within 30 s')), 30_000);
    child.on('message', (message: { type: string; message?: string }) => {
      clearTimeout(timer);
      if (message.type === 'ready') resolve(message as StackProcessReady);
      else reject(new Error(`The e2e local stack failed to start: ${message.message ?? 'unknown error'}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`The e2e local stack exited (${code}) before it was ready; see ${localDir}`));
    });
  });

  process.env.E2E_ENDPOINTS = JSON.stringify(ready.endpoints);
  process.env.E2E_ENDPOINTS_FILE = path.join(localDir, 'endpoints.json');
  process.env.E2E_TEST_HOOKS_URL = ready.testHooksUrl;
  process.env.E2E_LOCAL_DIR = localDir;
  // The demo users' passwords are secrets of the run too (globalTeardown checks no log line holds any).
  const demo = ready.demo as { api?: { password?: string }; instance?: { password?: string } } | undefined;
  recordSecret('password', demo?.api?.password, localDir);
  recordSecret('password', demo?.instance?.password, localDir);
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

  globalThis.__REMOTE_POP_E2E_STACK__ = {
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
  if (process.env.E2E_VERBOSE) console.log(`\ne2e local stack ready in ${Date.now() - started} ms (${localDir})`);
}
