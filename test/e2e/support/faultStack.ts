/**
 * `startFaultStack()`: a local stack of one test file's own (e2eStack.ts, in a child process) whose
 * dependencies the test can stop and start: DynamoDB, the Cognito emulator, and a slow `@connections` endpoint.
 * Its logs (stack.log, gateway.log) are written under $E2E_LOCAL_DIR so the secrets check reads them too.
 * `useStack(stack)` points this file's support helpers (callApi, connectInstance, createUser...) at it.
 */
import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { LocalEndpoints } from './endpoints';
import { launchE2eStack } from './e2eStack';

export interface FaultStack {
  readonly endpoints: LocalEndpoints;
  readonly testHooksUrl: string;
  readonly localDir: string;
  stopDynamoDb(): Promise<void>;
  startDynamoDb(): Promise<void>;
  stopCognito(): Promise<void>;
  startCognito(): Promise<void>;
  setManagementDelay(ms: number): Promise<void>;
  /** The next `count` invocations of the stream function fail (local/streams/streamDispatcher.ts). */
  failStreamInvocations(count: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFaultStack(
  settings: { readonly claimWindowSeconds?: number } = {},
  timeoutMs = 120_000,
): Promise<FaultStack> {
  const parent = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
  const stack = await launchE2eStack(
    { ...settings, localDir: mkdtempSync(path.join(parent, 'fault-stack-')) },
    'fault stack',
    timeoutMs,
  );
  return {
    endpoints: stack.endpoints,
    testHooksUrl: stack.testHooksUrl,
    localDir: stack.localDir,
    stopDynamoDb: () => stack.fault('stopDynamoDb'),
    startDynamoDb: () => stack.fault('startDynamoDb'),
    stopCognito: () => stack.fault('stopCognito'),
    startCognito: () => stack.fault('startCognito'),
    setManagementDelay: (ms) => stack.fault('setManagementDelay', ms),
    failStreamInvocations: (count) => stack.fault('failStreamInvocations', count),
    stop: stack.stop,
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
