/**
 * The local stack in a process of its own, started by `launchStack` (launcher.ts) as `node -r tsx/cjs
 * local/stackProcess.ts`. The handlers read their environment once, at cold start, so a stack with its own settings
 * needs its own process; and jest's global setup cannot transpile handler modules loaded after it has returned.
 *
 * Options arrive as JSON in LOCAL_STACK_OPTIONS. Sends `{type: 'ready', endpoints, demo, testHooksUrl}` once up (or
 * `{type: 'failed', message}`), then answers commands `{id, type}` with `{type: 'answer', id, error?, ...}`:
 * `fault` (stop or start DynamoDB or the Cognito emulator, slow down `@connections`; needs `testHooks`), `cpu`
 * (this process's CPU time and RSS), `profileStart` / `profileStop` (a V8 CPU profile of this process written to
 * `file`). Stops on SIGTERM, SIGINT, IPC disconnect, or when its parent dies (parentWatch.js).
 */
import './sdkQuiet';
import { appendFileSync, writeFileSync } from 'fs';
import { Session } from 'inspector';
import * as path from 'path';
import { consoleLog, silentLog, type GatewayLog } from './gateway/log';
import type { DemoCredentials } from './provision';
import {
  startLocalStack,
  type LocalEndpoints,
  type LocalStack,
  type LocalStackFaults,
  type LocalStackOptions,
  type LocalStackPorts,
} from './stack';

export interface StackProcessOptions {
  /** State, endpoints.json and the logs. */
  readonly localDir: string;
  /** @default every port 0 (free ports) */
  readonly ports?: LocalStackPorts;
  /** May be fractional (the emulator honours it): 0.1 gives 6-second IdTokens. @default 60 */
  readonly idTokenValidityMinutes?: number;
  /** @default 60 */
  readonly claimWindowSeconds?: number;
  /** The webhook back-off in seconds (LocalStackOptions.webhookRetrySeconds). */
  readonly webhookRetrySeconds?: readonly number[];
  /** LocalStackOptions.webhookTimeScale and dataDir. */
  readonly webhookTimeScale?: number;
  readonly dataDir?: string;
  /** LocalStackOptions.tableName: serve from this existing (restored) table. */
  readonly tableName?: string;
  /** Serve `/__local/` test hooks and accept `fault` commands. @default false */
  readonly testHooks?: boolean;
  /**
   * The gateway's one line per request: on stdout (with the handlers' logs), in `<localDir>/gateway.log`, or nowhere.
   * @default 'stdout'
   */
  readonly gatewayLog?: 'stdout' | 'file' | 'none';
  /** How the gateway runs the functions (LocalStackOptions.runtime). @default 'environments' */
  readonly runtime?: LocalStackOptions['runtime'];
  /** Timeouts, concurrency limits, idle period (their lines go to stdout, with the handlers' logs). */
  readonly environments?: Omit<NonNullable<LocalStackOptions['environments']>, 'platformLog'>;
  /** Fixture handlers for some functions (LocalStackOptions.factoryModules). */
  readonly factoryModules?: LocalStackOptions['factoryModules'];
  /** The stage throttle and the default usage plan's per-tenant throttle (LocalStackOptions). */
  readonly throttle?: LocalStackOptions['throttle'];
  readonly tenantThrottle?: LocalStackOptions['tenantThrottle'];
  readonly restAuthorizer?: LocalStackOptions['restAuthorizer'];
}

export type FaultAction = keyof LocalStackFaults;

export type StackCommand =
  | {
      readonly type: 'fault';
      readonly action: FaultAction;
      /** For setManagementDelay (ms) and failStreamInvocations (a count). */ readonly ms?: number;
    }
  | { readonly type: 'cpu' }
  | { readonly type: 'profileStart' }
  | { readonly type: 'profileStop'; readonly file: string };

export type StackMessage =
  | {
      readonly type: 'ready';
      readonly endpoints: LocalEndpoints;
      readonly demo: DemoCredentials;
      readonly testHooksUrl: string;
    }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'answer'; readonly id: number; readonly error?: string; readonly [key: string]: unknown };

/** The answer to `cpu`. */
export interface StackUsage {
  readonly cpu: NodeJS.CpuUsage;
  /** Resident set size in bytes. */
  readonly memory: number;
}

function gatewayLogFor(options: StackProcessOptions): GatewayLog {
  if (options.gatewayLog === 'none') return silentLog;
  if (options.gatewayLog !== 'file') return consoleLog;
  const file = path.join(options.localDir, 'gateway.log');
  const append = (line: string) => appendFileSync(file, `${line}\n`, { mode: 0o600 });
  return { info: append, error: (line) => append(`ERROR ${line}`) };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the inspector protocol's replies are untyped JSON
function post(session: Session, method: string, params: object = {}): Promise<any> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

/** A V8 CPU profile of this process (sampled every 0.5 ms), at most one at a time. */
function cpuProfiler() {
  let session: Session | undefined;
  return {
    async start(): Promise<void> {
      session = new Session();
      session.connect();
      await post(session, 'Profiler.enable');
      await post(session, 'Profiler.setSamplingInterval', { interval: 500 });
      await post(session, 'Profiler.start');
    },
    async stop(file: string): Promise<void> {
      if (!session) throw new Error('no profile running');
      const { profile } = await post(session, 'Profiler.stop');
      writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      session = undefined;
    },
  };
}

function commandRunner(stack: LocalStack, log: GatewayLog) {
  const profiler = cpuProfiler();
  return async (command: StackCommand): Promise<object> => {
    switch (command.type) {
      case 'fault': {
        if (!stack.faults) throw new Error('fault hooks need testHooks: true');
        log.info(`FAULT ${command.action}${command.ms !== undefined ? ` ${command.ms}` : ''}`);
        if (command.action === 'setManagementDelay') stack.faults.setManagementDelay(command.ms ?? 0);
        else if (command.action === 'failStreamInvocations') stack.faults.failStreamInvocations(command.ms ?? 0);
        else await stack.faults[command.action]();
        return {};
      }
      case 'cpu':
        return { cpu: process.cpuUsage(), memory: process.memoryUsage().rss } satisfies StackUsage;
      case 'profileStart':
        await profiler.start();
        return {};
      case 'profileStop':
        await profiler.stop(command.file);
        return {};
    }
  };
}

const send = (message: StackMessage) => process.send?.(message);

async function main(): Promise<void> {
  const options = JSON.parse(process.env.LOCAL_STACK_OPTIONS ?? '{}') as StackProcessOptions;
  if (!options.localDir) throw new Error('LOCAL_STACK_OPTIONS.localDir is required');
  const log = gatewayLogFor(options);
  const stack = await startLocalStack({
    ports: options.ports ?? { rest: 0, ws: 0, cognito: 0, dynamoDb: 0 },
    localDir: options.localDir,
    startDemoInstance: false,
    testHooks: options.testHooks ?? false,
    ...(options.idTokenValidityMinutes !== undefined ? { idTokenValidityMinutes: options.idTokenValidityMinutes } : {}),
    ...(options.claimWindowSeconds !== undefined ? { claimWindowSeconds: options.claimWindowSeconds } : {}),
    ...(options.webhookRetrySeconds ? { webhookRetrySeconds: options.webhookRetrySeconds } : {}),
    ...(options.webhookTimeScale ? { webhookTimeScale: options.webhookTimeScale } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.tableName ? { tableName: options.tableName } : {}),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    ...(options.environments ? { environments: options.environments } : {}),
    ...(options.factoryModules ? { factoryModules: options.factoryModules } : {}),
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.tenantThrottle ? { tenantThrottle: options.tenantThrottle } : {}),
    ...(options.restAuthorizer ? { restAuthorizer: options.restAuthorizer } : {}),
    log,
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stack.stop().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  const run = commandRunner(stack, log);
  process.on('message', (command: StackCommand & { id: number }) => {
    run(command).then(
      (answer) => send({ type: 'answer', id: command.id, ...answer }),
      (error: unknown) =>
        send({ type: 'answer', id: command.id, error: error instanceof Error ? error.message : String(error) }),
    );
  });
  const testHooksUrl = stack.endpoints.WebSocketUrl.replace(/^ws:/, 'http:').replace(/\/[^/]+$/, '/__local');
  send({ type: 'ready', endpoints: stack.endpoints, demo: stack.demo, testHooksUrl });
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
