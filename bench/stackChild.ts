/** Start bench/stackProcess.ts as a child process on free ports, talk to it over IPC, stop it. */
import { spawn, type ChildProcess } from 'child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'fs';
import * as path from 'path';
import type { LocalEndpoints } from '../local/stack';

export interface StackChild {
  readonly endpoints: LocalEndpoints;
  readonly pid: number;
  /** The cognito-local process (a child of the stack process). */
  readonly cognitoPid: number | undefined;
  request<T = any>(message: object): Promise<T>;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, '..');

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

/** user+system CPU milliseconds of a process so far (Linux, /proc/<pid>/stat, clock ticks of 10 ms). */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

export async function startStackChild(localDir: string, logFile: string): Promise<StackChild> {
  const out = openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', path.join(ROOT, 'local', 'parentWatch.js'), '-r', 'tsx/cjs', path.join(__dirname, 'stackProcess.ts')],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        WS_PORT: '0',
        COGNITO_PORT: '0',
        DYNAMODB_PORT: '0',
        LOCAL_DIR: localDir,
        // Inherited by the cognito-local process the stack spawns; inert elsewhere (see cognitoCounter.js).
        NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'cognitoCounter.js')}`.trim(),
      },
      stdio: ['pipe', out, out, 'ipc'],
    },
  );
  closeSync(out);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);

  let nextId = 1;
  const pending = new Map<number, (value: any) => void>();
  const ready = new Promise<LocalEndpoints>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the local stack did not start within 60 s (see ${logFile})`)), 60_000);
    child.on('message', (message: any) => {
      if (message?.type === 'ready') {
        clearTimeout(timer);
        resolve(message.endpoints as LocalEndpoints);
      } else if (message?.type === 'failed') {
        clearTimeout(timer);
        reject(new Error(`the local stack did not start: ${message.message}`));
      } else if (typeof message?.id === 'number') {
        pending.get(message.id)?.(message);
        pending.delete(message.id);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the local stack exited (${code}) before it was ready (see ${logFile})`));
    });
  });
  const endpoints = await ready;
  const cognitoPid = childrenOf(child.pid!)[0];

  return {
    endpoints,
    pid: child.pid!,
    cognitoPid,
    request<T>(message: object): Promise<T> {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, (answer) => (answer.error ? reject(new Error(answer.error)) : resolve(answer as T)));
        child.send({ ...message, id });
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      process.removeListener('exit', killOnExit);
    },
  };
}
