/**
 * An e2e local stack in a process of its own (started by `launchStack`, stackLauncher.ts, with `node -r tsx/cjs`):
 * the handlers are loaded lazily by file name, which jest's global setup cannot transpile once it has returned, and
 * they read their environment once, at cold start, so each stack with its own settings needs its own process.
 * Options arrive in E2E_STACK_OPTIONS; the handlers' logs go to stdout (the launcher makes it stack.log), the
 * gateway's lines to gateway.log. Reports its endpoints over IPC, then answers fault commands (stop or start DynamoDB
 * or the Cognito emulator, slow down `@connections`). Stops on SIGTERM, on IPC disconnect, or when its parent dies.
 */
import '../../../local/sdkQuiet';
import { appendFileSync } from 'fs';
import * as path from 'path';
import { silentLog, type GatewayLog } from '../../../local/gateway/log';
import { startLocalStack, type LocalStackFaults } from '../../../local/stack';

export interface StackOptions {
  readonly localDir: string;
  /** May be fractional here (the emulator honours it): 0.1 gives 6-second IdTokens. @default 60 */
  readonly idTokenValidityMinutes?: number;
  /** @default 60 */
  readonly claimWindowSeconds?: number;
  /** No gateway.log. @default false */
  readonly quiet?: boolean;
}

export interface StackReady {
  readonly type: 'ready';
  readonly endpoints: Record<string, string>;
  readonly testHooksUrl: string;
  readonly demo: unknown;
}

export type FaultAction = 'stopDynamoDb' | 'startDynamoDb' | 'stopCognito' | 'startCognito' | 'setManagementDelay';
export interface FaultCommand {
  readonly id: number;
  readonly action: FaultAction;
  /** For setManagementDelay. */
  readonly ms?: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.E2E_STACK_OPTIONS ?? '{}') as StackOptions;
  if (!options.localDir) throw new Error('E2E_STACK_OPTIONS.localDir is required');
  const logFile = path.join(options.localDir, 'gateway.log');
  const log: GatewayLog = options.quiet
    ? silentLog
    : { info: (line) => appendFileSync(logFile, `${line}\n`), error: (line) => appendFileSync(logFile, `ERROR ${line}\n`) };
  const stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir: options.localDir,
    startDemoInstance: false,
    testHooks: true,
    ...(options.idTokenValidityMinutes !== undefined ? { idTokenValidityMinutes: options.idTokenValidityMinutes } : {}),
    ...(options.claimWindowSeconds !== undefined ? { claimWindowSeconds: options.claimWindowSeconds } : {}),
    log,
  });
  const faults = stack.faults as LocalStackFaults;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= stack.stop().finally(() => process.exit(0));
    return stopping;
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.on('message', (command: FaultCommand) => {
    log.info(`FAULT ${command.action}${command.action === 'setManagementDelay' ? ` ${command.ms}ms` : ''}`);
    const run = async () => {
      if (command.action === 'setManagementDelay') faults.setManagementDelay(command.ms ?? 0);
      else await faults[command.action]();
    };
    run().then(
      () => process.send?.({ type: 'done', id: command.id }),
      (error: unknown) => process.send?.({ type: 'done', id: command.id, error: String((error as Error)?.message ?? error) }),
    );
  });
  const ready: StackReady = {
    type: 'ready',
    endpoints: { ...stack.endpoints },
    testHooksUrl: stack.endpoints.WebSocketUrl.replace(/^ws:/, 'http:').replace(/\/[^/]+$/, '/__local'),
    demo: stack.demo,
  };
  process.send?.(ready);
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
