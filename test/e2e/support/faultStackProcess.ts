/**
 * A local stack for fault tests, in a process of its own (started by `startFaultStack`, faultStack.ts): the same as
 * the shared e2e stack, plus commands over IPC that take its dependencies down and bring them back on the same ports
 * (`LocalStack.faults`): DynamoDB, the Cognito emulator, a slow `@connections` endpoint.
 * Handler logs go to stdout (stack.log), gateway lines to gateway.log, both under E2E_FAULT_STACK_DIR.
 */
import '../../../local/sdkQuiet';
import { appendFileSync } from 'fs';
import * as path from 'path';
import { startLocalStack, type LocalStackFaults } from '../../../local/stack';
import type { GatewayLog } from '../../../local/gateway/log';

export type FaultCommand =
  | { readonly id: number; readonly action: 'stopDynamoDb' | 'startDynamoDb' | 'stopCognito' | 'startCognito' }
  | { readonly id: number; readonly action: 'setManagementDelay'; readonly ms: number };

async function main(): Promise<void> {
  const localDir = process.env.E2E_FAULT_STACK_DIR;
  if (!localDir) throw new Error('E2E_FAULT_STACK_DIR is required');
  const logFile = path.join(localDir, 'gateway.log');
  const log: GatewayLog = {
    info: (line) => appendFileSync(logFile, `${line}\n`),
    error: (line) => appendFileSync(logFile, `ERROR ${line}\n`),
  };
  const stack = await startLocalStack({
    ports: { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir,
    startDemoInstance: false,
    testHooks: true,
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
      if (command.action === 'setManagementDelay') faults.setManagementDelay(command.ms);
      else await faults[command.action]();
    };
    run().then(
      () => process.send?.({ type: 'done', id: command.id }),
      (error: unknown) => process.send?.({ type: 'done', id: command.id, error: String((error as Error)?.message ?? error) }),
    );
  });
  const testHooksUrl = stack.endpoints.WebSocketUrl.replace(/^ws:/, 'http:').replace(/\/[^/]+$/, '/__local');
  process.send?.({ type: 'ready', endpoints: { ...stack.endpoints }, testHooksUrl });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? error.stack ?? error.message : String(error) });
  process.exit(1);
});
