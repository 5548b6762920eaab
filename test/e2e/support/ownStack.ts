/**
 * `startOwnStack(settings)`: a second local stack for one test file, in a child process (see e2eStack.ts), on
 * free ports in a temporary folder. For settings the shared stack must not have (short tokens, short claim window).
 * Costs about 1.5 to 3 s; stop it in afterAll.
 */
import { mkdtempSync, rmSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalEndpoints } from './endpoints';
import { launchE2eStack, type E2eStackSettings } from './e2eStack';

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

export async function startOwnStack(
  settings: Omit<E2eStackSettings, 'localDir' | 'quiet'>,
  timeoutMs = 120_000,
): Promise<OwnStack> {
  // Inside the run's folder when there is one, so that globalTeardown's secrets scan reads this stack's logs too.
  const runDir = process.env.E2E_LOCAL_DIR;
  const localDir = runDir
    ? mkdtempSync(path.join(runDir, 'own-stack-'))
    : mkdtempSync(path.join(os.tmpdir(), 'remote-pop-e2e-own-'));
  // On a failed start the folder stays, for its stack.log.
  const stack = await launchE2eStack({ ...settings, localDir, quiet: true }, 'own e2e stack', timeoutMs);
  return {
    endpoints: stack.endpoints,
    testHooksUrl: stack.testHooksUrl,
    localDir,
    async stop() {
      await stack.stop();
      rmSync(runDir ? path.join(localDir, 'cognito') : localDir, { recursive: true, force: true });
    },
  };
}
