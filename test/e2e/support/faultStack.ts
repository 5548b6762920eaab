/**
 * `startFaultStack()`: a local stack of one test file's own (faultStackProcess.ts in a child process) whose
 * dependencies the test can stop and start: DynamoDB, the Cognito emulator, and a slow `@connections` endpoint.
 * Its logs (stack.log, gateway.log) are written under $E2E_LOCAL_DIR so the secrets check reads them too.
 * `useStack(stack)` points this file's support helpers (callApi, connectInstance, createUser...) at it.
 */
import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, openSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalEndpoints } from './endpoints';
import type { FaultCommand } from './faultStackProcess';

const ROOT = path.resolve(__dirname, '../../..');

type Action = FaultCommand['action'];

export interface FaultStack {
  readonly endpoints: LocalEndpoints;
  readonly testHooksUrl: string;
  readonly localDir: string;
  stopDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  stopCognito(): Promise<void>;
  startCognito(): Promise<void>;
  setManagementDelay(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultStack(timeoutMs = 30_000): Promise<FaultStack> {
  const parent = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
  const localDir = mkdtempSync(path.join(parent, 'fault-stack-'));
  const output = openSync(path.join(localDir, 'stack.log'), 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'local/parentWatch.js'), '-r', 'tsx/cjs', path.join(__dirname, 'faultStackProcess.ts')],
    {
      cwd: ROOT,
      env: { ...process.env, E2E_FAULT_STACK_DIR: localDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['pipe', output, output, 'ipc'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  let ready: { endpoints: LocalEndpoints; testHooksUrl: string };
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`The fault stack did not start within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: { type: string; message?: string; endpoints: LocalEndpoints; testHooksUrl: string }) => {
        if (message.type !== 'ready' && message.type !== 'failed') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        if (message.type === 'ready') resolve(message);
        else reject(new Error(`The fault stack failed to start: ${message.message ?? 'unknown error'}`));
      };
      child.on('message', onMessage);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`The fault stack exited (${code}) before it was ready; see ${localDir}`));
      });
    });
  } catch (error) {
    await stop();
    throw error;
  }

  let nextId = 0;
  const command = (action: Action, ms = 0) =>
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
      child.send(action === 'setManagementDelay' ? { id, action, ms } : { id, action });
    });

  return {
    endpoints: ready.endpoints,
    testHooksUrl: ready.testHooksUrl,
    localDir,
    stopDynamoDb: () => command('stopDynamoDb'),
    startDynamoDb: () => command('startDynamoDb'),
    stopCognito: () => command('stopCognito'),
    startCognito: () => command('startCognito'),
    setManagementDelay: (ms) => command('setManagementDelay', ms),
    stop,
  };
}

/**
 * Point this test file's support helpers at `stack` (they read E2E_ENDPOINTS and E2E_TEST_HOOKS_URL once, on first
 * use; jest gives each test file its own copy of process.env and of the modules). Call before any helper runs.
 */
export function useStack(stack: Pick<FaultStack, 'endpoints' | 'testHooksUrl'>): void {
  process.env.E2E_ENDPOINTS = JSON.stringify(stack.endpoints);
  process.env.E2E_TEST_HOOKS_URL = stack.testHooksUrl;
}
