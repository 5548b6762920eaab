/**
 * Execution environments modelled on Lambda's, one pool per function. An environment is a worker thread
 * (environmentWorkerMain.ts) that loads the function's code once and serves one invocation at a time; a warm one is
 * reused (the most recently used first, so few stay hot), a new one is created when all are busy, up to
 * `maxEnvironments` (then the invocation waits for one), invocations beyond the function's concurrency limit are
 * refused as Lambda throttles them (environmentPool.ts), and an idle environment is retired after `idleSeconds`. An invocation past the function's timeout ends its environment (the worker is
 * terminated, as Lambda discards the sandbox). Each invocation writes Lambda's `START`, `END` and `REPORT` lines.
 * Why threads and not processes: local/README.md ("Execution environments").
 */
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { Worker } from 'worker_threads';
import type { HandlerName } from '../../lambdas/apiRoutes';
import { EnvironmentBundles } from './environmentBundle';
import type { EnvironmentData, EnvironmentMessage, InvokeMessage, SerializedError } from './environmentWorkerMain';
import { newRequestId } from './ids';
import { memoryOf } from '../../lib/functionMemory';
import { ColdStartSlots, CpuLoad, FunctionPool, type PooledEnvironment } from './environmentPool';
import { logsInfo, type EnvironmentCode, type LambdaRuntime } from './lambdaRuntime';

export interface EnvironmentSettings {
  /** Function timeout in seconds, per function. @default 10 (lib/remotePopFunction.ts) */
  readonly timeoutSeconds?: Partial<Record<HandlerName, number>>;
  /** Concurrency limit per function (one number for all, or per function). @default 64 */
  readonly concurrency?: number | Partial<Record<HandlerName, number>>;
  /**
   * How many environments a function may have at once (one number for all, or per function), at most its concurrency
   * limit; an invocation that finds them all busy waits for one (local/README.md, "Execution environments": more
   * environments than the cores can run cost CPU per invocation and memory, and add no throughput).
   * @default the machine's cores, at least 2
   */
  readonly maxEnvironments?: number | Partial<Record<HandlerName, number>>;
  /** An environment idle this long is retired. @default 300 */
  readonly idleSeconds?: number;
  /** Shown in REPORT and the Context (one number for all, or per function). @default as deployed (lib/functionMemory.ts) */
  readonly memoryMb?: number | Partial<Record<HandlerName, number>>;
  /**
   * Environments in their Init at once, for the whole stack (see ColdStartSlots). @default the machine's cores, at least 2
   */
  readonly maxColdStarts?: number;
  /** Each environment's worker writes a V8 CPU profile here when it ends (`--cpu-prof`): for the bench. @default none */
  readonly cpuProfileDir?: string;
  /** Where START / END / REPORT and timeout lines go. @default stdout when the handlers log at INFO or below, else nowhere */
  readonly platformLog?: (line: string) => void;
}

export interface ExecutionEnvironmentsOptions extends EnvironmentSettings {
  readonly code: EnvironmentCode;
  /** The gateway's `@connections` endpoint, known once it listens. */
  readonly connectionsEndpoint: () => string;
  readonly region: string;
  readonly accountId: string;
}

const DEFAULT_TIMEOUT_SECONDS = 10;
const DEFAULT_CONCURRENCY = 64;
const DEFAULT_IDLE_SECONDS = 300;
const defaultColdStarts = () => Math.max(2, os.availableParallelism());
const defaultEnvironments = () => Math.max(2, os.availableParallelism());
const perFunction = (setting: EnvironmentSettings['concurrency'], name: HandlerName, fallback: number) =>
  typeof setting === 'number' ? setting : (setting?.[name] ?? fallback);
const REAL_FACTORIES = path.resolve(__dirname, '../../lambdas/handlerFactories.ts');

/** The function failed (threw, or its environment died): API Gateway answers 502. */
export class FunctionError extends Error {
  constructor(error: SerializedError) {
    super(error.message);
    this.name = error.name;
    if (error.stack) this.stack = error.stack;
  }
}

interface Settled {
  readonly outcome: Extract<EnvironmentMessage, { type: 'result' | 'error' }> | { readonly type: 'timeout' };
}

/** One worker thread: its Init, then one invocation at a time. */
class Environment implements PooledEnvironment {
  readonly ready: Promise<number>;
  idleTimer: NodeJS.Timeout | undefined;
  /** Init Duration, reported on the first invocation only (the cold start). */
  pendingInitMs: number | undefined;
  private current: ((settled: Settled) => void) | undefined;
  private dead: SerializedError | undefined;
  private worker: Worker | undefined;

  /** `script`: the function's bundled worker script (environmentBundle.ts). */
  constructor(
    script: Promise<string>,
    data: EnvironmentData,
    private readonly execArgv: readonly string[],
  ) {
    this.ready = script.then((file) => this.start(file, data));
    this.ready.catch(() => undefined); // observed by the invocation that waits for it
  }

  /** The worker, and its Init Duration once it has built the handler. */
  private start(script: string, data: EnvironmentData): Promise<number> {
    if (this.dead) return Promise.reject(new FunctionError(this.dead));
    // Not the parent's execArgv: local/parentWatch.js (its preload) watches the process's stdin, not a thread's.
    const created = performance.now();
    const worker = (this.worker = new Worker(script, { workerData: data, execArgv: [...this.execArgv] }));
    worker.unref();
    return new Promise<number>((resolve, reject) => {
      worker.on('message', (message: EnvironmentMessage) => {
        if (message.type === 'ready') resolve((this.pendingInitMs = performance.now() - created));
        else if (message.type === 'initFailed') reject(new FunctionError(message.error));
        else this.current?.({ outcome: message });
      });
      const die = (error: SerializedError) => {
        this.dead ??= error;
        reject(new FunctionError(error));
        this.current?.({ outcome: { type: 'error', requestId: '', error, durationMs: 0 } });
      };
      worker.on('error', (error) => die({ name: 'Runtime.ExitError', message: `Runtime exited: ${error.message}` }));
      worker.on('exit', (code) => die({ name: 'Runtime.ExitError', message: `Runtime exited with code ${code}` }));
    });
  }

  get alive(): boolean {
    return this.dead === undefined;
  }

  /** One invocation; `timeout` once `timeoutMs` has passed (the caller then ends this environment). */
  run(message: InvokeMessage, timeoutMs: number): Promise<Settled> {
    return new Promise<Settled>((resolve) => {
      const timer = setTimeout(() => settle({ outcome: { type: 'timeout' } }), timeoutMs);
      const settle = (settled: Settled) => {
        clearTimeout(timer);
        this.current = undefined;
        resolve(settled);
      };
      this.current = settle;
      this.worker?.postMessage(message);
    });
  }

  end(): void {
    this.dead ??= { name: 'Retired', message: 'environment ended' };
    clearTimeout(this.idleTimer);
    void this.worker?.terminate();
  }
}

const ms = (value: number) => `${value.toFixed(2)} ms`;

/** Lambda's platform lines, in its text format, prefixed with the function's name (one log group each in AWS). */
function reportLine(
  requestId: string,
  durationMs: number,
  memoryMb: number,
  initMs: number | undefined,
  status?: string,
): string {
  const parts = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${ms(durationMs)}`,
    `Billed Duration: ${Math.ceil(durationMs)} ms`,
    `Memory Size: ${memoryMb} MB`,
    ...(initMs !== undefined ? [`Init Duration: ${ms(initMs)}`] : []),
    ...(status ? [`Status: ${status}`] : []),
  ];
  return parts.join('\t');
}

const stdoutLines = (line: string) => void process.stdout.write(`${line}\n`);

/** Every function in execution environments: what the gateway invokes in the `environments` mode. */
export class ExecutionEnvironments implements LambdaRuntime {
  private readonly pools = new Map<HandlerName, FunctionPool<Environment>>();
  private readonly bundles = new EnvironmentBundles();
  private readonly log: (line: string) => void;
  private readonly coldStarts: ColdStartSlots;
  private readonly cpu: CpuLoad;

  constructor(private readonly options: ExecutionEnvironmentsOptions) {
    this.cpu = new CpuLoad(() => this.coldStarts.pumpAll());
    this.coldStarts = new ColdStartSlots(options.maxColdStarts ?? defaultColdStarts(), () => this.cpu.saturated());
    this.log = options.platformLog ?? (logsInfo() ? stdoutLines : () => undefined);
    // Built now, while the stack starts, so that the first cold start does not wait for esbuild.
    this.bundles.scriptFor(REAL_FACTORIES).catch(() => undefined);
  }

  /** How many environments each function has now (busy or warm). */
  environmentCount(name: HandlerName): number {
    return this.pools.get(name)?.size() ?? 0;
  }

  close(): void {
    this.cpu.stop();
    for (const pool of this.pools.values()) pool.close();
    this.pools.clear();
    this.bundles.close();
  }

  async invoke(name: HandlerName, event: unknown): Promise<unknown> {
    const pool = this.poolFor(name);
    const functionName = this.functionName(name);
    const environment = await pool.acquire(); // a throttle is refused before any START line, as in Lambda
    const requestId = newRequestId();
    let initMs: number;
    try {
      initMs = await environment.ready;
    } catch (error) {
      pool.finish(environment, false);
      this.log(`[${functionName}] INIT_REPORT RequestId: ${requestId}\tStatus: error\t${(error as Error).message}`);
      throw error;
    }
    const timeoutMs = this.timeoutSeconds(name) * 1000;
    this.log(`[${functionName}] START RequestId: ${requestId} Version: $LATEST`);
    const { outcome } = await environment.run({ requestId, event, deadline: Date.now() + timeoutMs }, timeoutMs);
    const coldInitMs = environment.pendingInitMs === undefined ? undefined : initMs;
    environment.pendingInitMs = undefined;
    const memoryMb = perFunction(this.options.memoryMb, name, memoryOf(name));
    if (outcome.type === 'timeout') {
      pool.finish(environment, false);
      const message = `Task timed out after ${this.timeoutSeconds(name).toFixed(2)} seconds`;
      this.log(`[${functionName}] ${new Date().toISOString()} ${requestId} ${message}`);
      this.log(`[${functionName}] END RequestId: ${requestId}`);
      this.log(`[${functionName}] ${reportLine(requestId, timeoutMs, memoryMb, coldInitMs, 'timeout')}`);
      throw new FunctionError({ name: 'Sandbox.Timedout', message });
    }
    pool.finish(environment, true);
    this.log(`[${functionName}] END RequestId: ${requestId}`);
    this.log(`[${functionName}] ${reportLine(requestId, outcome.durationMs, memoryMb, coldInitMs)}`);
    if (outcome.type === 'error') throw new FunctionError(outcome.error);
    return outcome.result;
  }

  private functionName(name: HandlerName): string {
    return `remote-pop-local-${name}`;
  }

  private timeoutSeconds(name: HandlerName): number {
    return this.options.timeoutSeconds?.[name] ?? DEFAULT_TIMEOUT_SECONDS;
  }

  private poolFor(name: HandlerName): FunctionPool<Environment> {
    let pool = this.pools.get(name);
    if (!pool) {
      const concurrency = perFunction(this.options.concurrency, name, DEFAULT_CONCURRENCY);
      const maxEnvironments = Math.min(
        concurrency,
        perFunction(this.options.maxEnvironments, name, defaultEnvironments()),
      );
      const idleMs = (this.options.idleSeconds ?? DEFAULT_IDLE_SECONDS) * 1000;
      const script = () => this.bundles.scriptFor(this.options.code.factoryModules?.[name] ?? REAL_FACTORIES);
      const { cpuProfileDir } = this.options;
      const execArgv = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
      const create = () => new Environment(script(), this.environmentData(name), execArgv);
      pool = new FunctionPool(create, { concurrency, maxEnvironments }, idleMs, this.coldStarts);
      this.pools.set(name, pool);
    }
    return pool;
  }

  private environmentData(name: HandlerName): EnvironmentData {
    const { code, region, accountId } = this.options;
    const functionName = this.functionName(name);
    return {
      handlerName: name,
      settings: { ...code.settings, connectionsEndpoint: this.options.connectionsEndpoint() },
      credentials: code.credentials,
      context: {
        functionName,
        invokedFunctionArn: `arn:aws:lambda:${region}:${accountId}:function:${functionName}`,
        memoryLimitInMB: String(perFunction(this.options.memoryMb, name, memoryOf(name))),
        logGroupName: `/aws/lambda/${functionName}`,
        logStreamName: `local/[$LATEST]${newRequestId().replace(/-/g, '')}`,
      },
    };
  }
}
