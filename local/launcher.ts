/**
 * The one way this project runs something in a child process of Node, and the local stack in one.
 *
 * - `launchChild(spec)`: `node -r local/parentWatch.js [-r tsx/cjs] <script>`. The child dies with this process even
 *   on SIGKILL (parentWatch.js), is killed on this process's exit, and `stop()` sends SIGTERM then SIGKILL.
 *   Used for cognito-local (emulators.ts), the demo Scripting instance (stack.ts, so `npm start`) and the stack below.
 * - `launchStack(options)`: the whole local stack (`startLocalStack`) in a child process (stackProcess.ts), reporting
 *   its endpoints over IPC and answering commands: fault hooks, CPU and memory use, a V8 CPU profile. Used by the e2e
 *   harness (test/e2e/globalSetup.ts, support/ownStack.ts, support/faultStack.ts) and the bench (bench/stackChild.ts).
 */
import { spawn, type ChildProcess } from 'child_process';
import { closeSync, openSync } from 'fs';
import * as path from 'path';
import type { DemoCredentials } from './provision';
import type { LocalEndpoints } from './stack';
import type { FaultAction, StackCommand, StackMessage, StackProcessOptions } from './stackProcess';

export type { FaultAction, StackCommand, StackProcessOptions };

export const PROJECT_ROOT = path.resolve(__dirname, '..');

/** Where a child's stdout and stderr go. */
export type ChildOutput =
  /** Appended to this file. */
  | { readonly file: string }
  /** Each complete, non-blank line, as it comes. */
  | { readonly lines: (line: string, stream: 'stdout' | 'stderr') => void };

export interface ChildSpec {
  /** A `.ts` entry of this project (run through tsx, in the same process) or a `.js` file. */
  readonly script: string;
  readonly args?: readonly string[];
  /** @default the project root */
  readonly cwd?: string;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  readonly output: ChildOutput;
  /** Open an IPC channel (`child.send`, `'message'`). @default false */
  readonly ipc?: boolean;
  /** More `.js` files to preload (`-r`), after parentWatch.js. @default none */
  readonly preloads?: readonly string[];
  /** `stop()` sends SIGTERM, then SIGKILL after this long. @default 5000 */
  readonly killAfterMs?: number;
  /**
   * The child's umask (it inherits the one in force when it is spawned): 0o077 makes every file it creates owner-only,
   * for emulators that write secrets with their own modes (cognito-local's db/*.json). @default this process's umask
   */
  readonly umask?: number;
}

export interface LaunchedChild {
  readonly process: ChildProcess;
  readonly pid: number;
  /** Resolves when the child has exited (at once if it has). */
  readonly exited: Promise<void>;
  running(): boolean;
  /** SIGTERM, then SIGKILL after `killAfterMs`; resolves once the child has exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * `-r tsx/cjs` rather than the tsx CLI: one process (the CLI runs a second one), so stopping it leaves no grandchild;
 * and CommonJS, where `require.main === module` holds for the entry (`--import tsx` would load it as ESM).
 */
function nodeArguments(spec: ChildSpec): string[] {
  const preloads = ['-r', path.join(__dirname, 'parentWatch.js')];
  for (const file of spec.preloads ?? []) preloads.push('-r', file);
  if (spec.script.endsWith('.ts')) preloads.push('-r', 'tsx/cjs');
  return [...preloads, spec.script, ...(spec.args ?? [])];
}

/** Calls `write` once per complete, non-blank line of `stream`. */
function relayLines(stream: NodeJS.ReadableStream | null, write: (line: string) => void): void {
  let buffered = '';
  stream?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') write(line);
  });
}

/** Runs `start` (a synchronous spawn) under `umask`, then restores this process's own. */
function withUmask<T>(umask: number | undefined, start: () => T): T {
  if (umask === undefined) return start();
  const previous = process.umask(umask);
  try {
    return start();
  } finally {
    process.umask(previous);
  }
}

function spawnWithOutput(spec: ChildSpec): ChildProcess {
  return withUmask(spec.umask, () => spawnChild(spec));
}

function spawnChild(spec: ChildSpec): ChildProcess {
  const ipc = spec.ipc ? (['ipc'] as const) : [];
  const options = { cwd: spec.cwd ?? PROJECT_ROOT, env: spec.env ?? process.env };
  const output = spec.output;
  if ('file' in output) {
    // Owner-only: a child's log may hold what its state holds (the local folder's secrets, local/README.md).
    const fd = openSync(output.file, 'a', 0o600);
    try {
      return spawn(process.execPath, nodeArguments(spec), { ...options, stdio: ['pipe', fd, fd, ...ipc] });
    } finally {
      closeSync(fd); // the child holds its own copy
    }
  }
  const child = spawn(process.execPath, nodeArguments(spec), { ...options, stdio: ['pipe', 'pipe', 'pipe', ...ipc] });
  relayLines(child.stdout, (line) => output.lines(line, 'stdout'));
  relayLines(child.stderr, (line) => output.lines(line, 'stderr'));
  return child;
}

/** Starts `spec.script` in a child process of Node that cannot outlive this one. */
export function launchChild(spec: ChildSpec): LaunchedChild {
  const child = spawnWithOutput(spec);
  const running = () => child.exitCode === null && child.signalCode === null;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  void exited.then(() => process.removeListener('exit', killOnExit));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      if (!running()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), spec.killAfterMs ?? 5000);
      await exited;
      clearTimeout(timer);
    })());
  return { process: child, pid: child.pid ?? -1, exited, running, stop };
}

// --- the local stack in a child process ------------------------------------------------------------------------

export interface StackLaunchOptions {
  /** Names the stack in error messages. @default 'local stack' */
  readonly label?: string;
  /** @default 30_000 */
  readonly timeoutMs?: number;
  /** The child's stdout and stderr (the handlers' JSON logs). @default `<localDir>/stack.log` */
  readonly logFile?: string;
  /** Added to this process's environment for the child. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface LaunchedStack {
  readonly endpoints: LocalEndpoints;
  readonly demo: DemoCredentials;
  readonly localDir: string;
  /** Base URL of the gateway's test hooks (`/__local`); served only with `testHooks: true`. */
  readonly testHooksUrl: string;
  /** The stack process. */
  readonly pid: number;
  /** Sends a command and resolves with the answer (rejects with the child's error). */
  request<T = Record<string, unknown>>(command: StackCommand, timeoutMs?: number): Promise<T>;
  /** Take a dependency down or bring it back (see LocalStackFaults; needs `testHooks: true`). */
  fault(action: FaultAction, ms?: number): Promise<void>;
  /** Stops the process (SIGTERM, then SIGKILL after 5 s); the folder stays. */
  stop(): Promise<void>;
}

type Ready = Extract<StackMessage, { type: 'ready' }>;

function waitUntilReady(child: LaunchedChild, label: string, timeoutMs: number, logFile: string): Promise<Ready> {
  return new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`The ${label} did not start within ${timeoutMs} ms (see ${logFile})`)),
      timeoutMs,
    );
    const onMessage = (message: StackMessage) => {
      if (message.type !== 'ready' && message.type !== 'failed') return;
      clearTimeout(timer);
      child.process.off('message', onMessage);
      if (message.type === 'ready') resolve(message);
      else reject(new Error(`The ${label} failed to start: ${message.message}`));
    };
    child.process.on('message', onMessage);
    void child.exited.then(() => {
      clearTimeout(timer);
      reject(
        new Error(
          `The ${label} exited (${child.process.exitCode ?? child.process.signalCode}) before it was ready (see ${logFile})`,
        ),
      );
    });
  });
}

/** Request/answer over the child's IPC channel, matched by id. */
function commandChannel(child: LaunchedChild): LaunchedStack['request'] {
  let nextId = 0;
  return <T>(command: StackCommand, timeoutMs?: number) =>
    new Promise<T>((resolve, reject) => {
      const id = ++nextId;
      const timer = timeoutMs
        ? setTimeout(() => finish(new Error(`${command.type} got no answer within ${timeoutMs} ms`)), timeoutMs)
        : undefined;
      const onMessage = (message: StackMessage) => {
        if (message.type === 'answer' && message.id === id)
          finish(message.error ? new Error(message.error) : undefined, message);
      };
      const finish = (error: Error | undefined, answer?: StackMessage) => {
        clearTimeout(timer);
        child.process.off('message', onMessage);
        if (error) reject(error);
        else resolve(answer as T);
      };
      child.process.on('message', onMessage);
      child.process.send({ ...command, id });
    });
}

/** Starts the local stack in a child process (stackProcess.ts) and resolves once it is ready. */
export async function launchStack(
  options: StackProcessOptions,
  launch: StackLaunchOptions = {},
): Promise<LaunchedStack> {
  const label = launch.label ?? 'local stack';
  const logFile = launch.logFile ?? path.join(options.localDir, 'stack.log');
  const child = launchChild({
    script: path.join(__dirname, 'stackProcess.ts'),
    env: { ...process.env, ...launch.env, LOCAL_STACK_OPTIONS: JSON.stringify(options) },
    output: { file: logFile },
    ipc: true,
  });
  let ready: Ready;
  try {
    ready = await waitUntilReady(child, label, launch.timeoutMs ?? 30_000, logFile);
  } catch (error) {
    await child.stop();
    throw error;
  }
  const request = commandChannel(child);
  return {
    endpoints: ready.endpoints,
    demo: ready.demo,
    localDir: options.localDir,
    testHooksUrl: ready.testHooksUrl,
    pid: child.pid,
    request,
    fault: async (action, ms = 0) => {
      await request({ type: 'fault', action, ms }, 20_000).catch((error: Error) => {
        throw new Error(`Fault command ${action} failed: ${error.message}`);
      });
    },
    stop: child.stop,
  };
}
