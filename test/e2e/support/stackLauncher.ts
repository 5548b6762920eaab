/**
 * `launchStack(options)`: a local stack in a child process (stackProcess.ts) on free ports, for the shared e2e stack
 * (globalSetup) and for the few test files that need a stack of their own (short tokens, faults).
 */
import { spawn } from 'child_process';
import { closeSync, openSync } from 'fs';
import * as path from 'path';
import type { LocalEndpoints } from './endpoints';
import type { FaultAction, StackOptions, StackReady } from './stackProcess';

const ROOT = path.resolve(__dirname, '../../..');

export interface LaunchedStack {
  readonly endpoints: LocalEndpoints;
  /** Base URL of the gateway's test hooks (`/__local`). */
  readonly testHooksUrl: string;
  /** Holds stack.log (the handlers' logs) and gateway.log. */
  readonly localDir: string;
  readonly demo: unknown;
  /** Take a dependency down or bring it back (see LocalStackFaults). */
  fault(action: FaultAction, ms?: number): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s); the folder stays. */
  stop(): Promise<void>;
}

export async function launchStack(options: StackOptions, label: string, timeoutMs = 30_000): Promise<LaunchedStack> {
  // The handlers' own logs (Powertools writes to stdout) go to a file, not into jest's output.
  const output = openSync(path.join(options.localDir, 'stack.log'), 'a');
  const child = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'local/parentWatch.js'), '-r', 'tsx/cjs', path.join(__dirname, 'stackProcess.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        E2E_STACK_OPTIONS: JSON.stringify(options),
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        // Every line a deployed handler would write, so the secrets check reads all of them.
        POWERTOOLS_LOG_LEVEL: 'INFO',
      },
      stdio: ['pipe', output, output, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      closeSync(output);
    })());

  let ready: StackReady;
  try {
    ready = await new Promise<StackReady>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The ${label} did not start within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { type: string; message?: string }) => {
        if (message.type !== 'ready' && message.type !== 'failed') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.type === 'ready') resolve(message as StackReady);
        else reject(new Error(`The ${label} failed to start: ${message.message ?? 'unknown error'}`));
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The ${label} exited (${code}) before it was ready; see ${options.localDir}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  let nextId = 0;
  const fault = (action: FaultAction, ms = 0) =>
    new Promise<void>((resolve, reject) => {
      const id = ++nextId;
      const timer = setTimeout(() => reject(new Error(`Fault command ${action} got no answer`)), 20_000);
      const onMessage = (message: { type: string; id?: number; error?: string }) => {
        if (message.type !== 'done' || message.id !== id) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.error) reject(new Error(`Fault command ${action} failed: ${message.error}`));
        else resolve();
      };
      child.on('message', onMessage);
      child.send({ id, action, ms });
    });

  return {
    endpoints: ready.endpoints as unknown as LocalEndpoints,
    testHooksUrl: ready.testHooksUrl,
    localDir: options.localDir,
    demo: ready.demo,
    fault,
    stop,
  };
}
