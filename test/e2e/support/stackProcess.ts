/**
 * The e2e local stack in a process of its own (run by globalSetup with `node -r tsx/cjs`): the handlers are loaded
 * lazily by file name, which jest's global setup cannot transpile once it has returned, and their process.env stays
 * apart from jest's. Reports its endpoints over IPC; stops on SIGTERM, on IPC disconnect, or when its parent dies.
 */
import '../../../local/sdkQuiet';
import { startLocalStack } from '../../../local/stack';
import { silentLog, type GatewayLog } from '../../../local/gateway/log';
import { appendFileSync } from 'fs';
import * as path from 'path';

export interface StackProcessReady {
  readonly type: 'ready';
  readonly endpoints: Record<string, string>;
  readonly localDir: string;
  readonly testHooksUrl: string;
  readonly demo: unknown;
}

async function main(): Promise<void> {
  const localDir = process.env.E2E_LOCAL_DIR;
  if (!localDir) throw new Error('E2E_LOCAL_DIR is required');
  const logFile = path.join(localDir, 'gateway.log');
  const log: GatewayLog =
    process.env.E2E_QUIET === 'true'
      ? silentLog
      : {
          info: (line) => appendFileSync(logFile, `${line}\n`),
          error: (line) => appendFileSync(logFile, `ERROR ${line}\n`),
        };
  const claimWindowSeconds = Number(process.env.E2E_CLAIM_WINDOW_SECONDS || 60);
  const stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir,
    startDemoInstance: false,
    testHooks: true,
    claimWindowSeconds,
    log,
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
  const ready: StackProcessReady = {
    type: 'ready',
    endpoints: { ...stack.endpoints },
    localDir,
    testHooksUrl,
    demo: stack.demo,
  };
  process.send?.(ready);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
