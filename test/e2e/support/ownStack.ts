/**
 * `startOwnStack(settings)`: a second local stack for one test file, in a child process (see ownStackProcess.ts), on
 * free ports in a temporary folder. For settings the shared stack must not have (short tokens, short claim window).
 * Costs about 1.5 to 3 s; stop it in afterAll.
 */
import { spawn } from 'child_process';
import { closeSync, mkdtempSync, openSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalEndpoints } from './endpoints';
import type { OwnStackSettings } from './ownStackProcess';

const ROOT = path.resolve(__dirname, '../../..');

export interface OwnStack {
  readonly endpoints: LocalEndpoints;
  /** Base URL of this stack's gateway test hooks (`/__local`). */
  readonly testHooksUrl: string;
  /** Handler logs in stack.log. */
  readonly localDir: string;
  /**
   * Stops the stack and removes its Cognito emulator state (plain-text passwords); inside an e2e run the logs stay for
   * the secrets scan, outside one the whole folder goes.
   */
  stop(): Promise<void>;
}

export async function startOwnStack(settings: Omit<OwnStackSettings, 'localDir'>, timeoutMs = 20_000): Promise<OwnStack> {
  // Inside the run's folder when there is one, so that globalTeardown's secrets scan reads this stack's logs too.
  const runDir = process.env.E2E_LOCAL_DIR;
  const localDir = runDir ? mkdtempSync(path.join(runDir, 'own-stack-')) : mkdtempSync(path.join(os.tmpdir(), 'remote-pop-e2e-own-'));
  const output = openSync(path.join(localDir, 'stack.log'), 'a');
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'local/parentWatch.js'), '-r', 'tsx/cjs', path.join(__dirname, 'ownStackProcess.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        E2E_OWN_STACK_OPTIONS: JSON.stringify({ ...settings, localDir }),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['pipe', output, output, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stopProcess = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      closeSync(output);
    })());
  const stop = async () => {
    await stopProcess();
    rmSync(runDir ? path.join(localDir, 'cognito') : localDir, { recursive: true, force: true });
  };

  try {
    const ready = await new Promise<{ endpoints: LocalEndpoints; testHooksUrl: string }>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The own e2e stack did not start within ${timeoutMs} ms`)), timeoutMs);
      child.on('message', (message: { type: string; message?: string; endpoints: LocalEndpoints; testHooksUrl: string }) => {
        clearTimeout(timer);
        if (message.type === 'ready') resolve(message);
        else reject(new Error(`The own e2e stack failed to start: ${message.message ?? 'unknown error'}`));
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The own e2e stack exited (${code}) before it was ready; see ${localDir}`));
      });
    });
    return { endpoints: ready.endpoints, testHooksUrl: ready.testHooksUrl, localDir, stop };
  } catch (error) {
    await stopProcess(); // the folder stays, for its stack.log
    throw error;
  }
}
