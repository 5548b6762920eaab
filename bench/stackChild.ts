/**
 * The local stack for the benchmark: `launchStack` (local/launcher.ts), the same child process as the e2e harness,
 * without the demo Scripting instance (an extra process would share the two cores) and without test hooks; the
 * gateway's request lines and the handlers' JSON logs go to `logFile`. The log level is the runner's (see run.ts).
 * cognito-local, the stack's own child, gets bench/cognitoCounter.js preloaded; `cognitoPid` is for its CPU time.
 */
import { readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import { launchStack, type StackCommand, type StackProcessOptions } from '../local/launcher';
import type { LocalEndpoints } from '../local/stack';

export interface StackChild {
  readonly endpoints: LocalEndpoints;
  readonly pid: number;
  /** The cognito-local process (a child of the stack process). */
  readonly cognitoPid: number | undefined;
  /** The dynalite process (local/dynaliteProcess.ts, a child of the stack process). */
  readonly dynalitePid: number | undefined;
  /** `{type: 'cpu'}` answers `{cpu, memory}` (local/stackProcess.ts StackUsage); profileStart / profileStop. */
  request<T = any>(command: StackCommand): Promise<T>;
  stop(): Promise<void>;
}

/** The children of a process (Linux). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) =>
      readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** The child of `pid` whose command line runs `script` (a path fragment). */
function childRunning(pid: number, script: string): number | undefined {
  return childrenOf(pid).find((child) => {
    try {
      return readFileSync(`/proc/${child}/cmdline`, 'utf8').includes(script);
    } catch {
      return false;
    }
  });
}

/** user+system CPU milliseconds of a process so far (Linux, /proc/<pid>/stat, clock ticks of 10 ms). */
export function processCpuMs(pid: number | undefined, statFile = `/proc/${pid}/stat`): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(statFile, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/**
 * CPU milliseconds of a process's main thread (its event loop: the gateway) and of all its other threads together,
 * ended ones included (execution environments, libuv's pool, V8's GC and compiler helpers). Linux /proc.
 */
export function threadCpuMs(pid: number | undefined): { readonly main: number; readonly others: number } {
  const total = processCpuMs(pid);
  const main = processCpuMs(pid, `/proc/${pid}/task/${pid}/stat`);
  return { main, others: total - main };
}

/** `runtime`: how the stack runs the functions (local/stack.ts); the bench compares both in one run. */
export async function startStackChild(
  localDir: string,
  logFile: string,
  runtime: StackProcessOptions['runtime'] = 'environments',
  environments?: StackProcessOptions['environments'],
  /** More of the stack's settings (bench/edgeCost.ts: its authorizer and usage plans). */
  extra: Partial<StackProcessOptions> = {},
): Promise<StackChild> {
  const stack = await launchStack(
    { localDir, gatewayLog: 'stdout', runtime, ...(environments ? { environments } : {}), ...extra },
    {
      label: 'local stack',
      timeoutMs: 60_000,
      logFile,
      // Inherited by the cognito-local process the stack spawns; inert elsewhere (see cognitoCounter.js).
      env: {
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'cognitoCounter.js')}`.trim(),
      },
    },
  );
  return {
    endpoints: stack.endpoints,
    pid: stack.pid,
    cognitoPid: childRunning(stack.pid, 'cognito-local'),
    dynalitePid: childRunning(stack.pid, 'dynaliteProcess'),
    request: (command) => stack.request(command),
    stop: stack.stop,
  };
}
