/**
 * A second, small local stack in a process of its own, for the few e2e tests that need stack settings the shared one
 * cannot have (short token lifetime, short claim window). Started by `startOwnStack` (ownStack.ts) with its options in
 * E2E_OWN_STACK_OPTIONS; reports its endpoints over IPC; stops on SIGTERM, on IPC disconnect, or when its parent dies.
 * Its own process because the handlers read their environment once, at cold start (one stack per process).
 */
import '../../../local/sdkQuiet';
import { startLocalStack } from '../../../local/stack';
import { silentLog } from '../../../local/gateway/log';

export interface OwnStackSettings {
  /** May be fractional here (the emulator honours it): 0.1 gives 6-second IdTokens. */
  readonly idTokenValidityMinutes?: number;
  readonly claimWindowSeconds?: number;
  readonly localDir: string;
}

async function main(): Promise<void> {
  const settings = JSON.parse(process.env.E2E_OWN_STACK_OPTIONS ?? '{}') as OwnStackSettings;
  const stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir: settings.localDir,
    startDemoInstance: false,
    testHooks: true,
    ...(settings.idTokenValidityMinutes !== undefined ? { idTokenValidityMinutes: settings.idTokenValidityMinutes } : {}),
    ...(settings.claimWindowSeconds !== undefined ? { claimWindowSeconds: settings.claimWindowSeconds } : {}),
    log: silentLog,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stack.stop().finally(() => process.exit(0));
    return stopping;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  const testHooksUrl = stack.endpoints.WebSocketUrl.replace(/^ws:/, 'http:').replace(/\/[^/]+$/, '/__local');
  process.send?.({ type: 'ready', endpoints: { ...stack.endpoints }, testHooksUrl });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
