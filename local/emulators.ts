/**
 * The two emulators of the local stack: cognito-local (a child process) and dynalite (in process).
 * Each `start*` returns a handle whose `stop()` leaves nothing running; a child also dies with its parent.
 */
import type { ChildProcess } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { Server as HttpServer } from 'http';
import { createServer } from 'net';
import * as path from 'path';
import dynalite from 'dynalite';
import { launchChild } from './launcher';

export interface EmulatorHandle {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';

/** A port free right now (for servers that must know their port before they listen, like cognito-local's issuer). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('Could not find a free port');
  return address.port;
}

export interface CognitoLocalOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** Working folder: cognito-local keeps its state (plaintext passwords) in `<dir>/.cognito/`. */
  readonly dir: string;
  readonly startTimeoutMs?: number;
}

/**
 * Runs `node node_modules/cognito-local/lib/bin/start.js` through the launcher (never through npx: killing npx leaves
 * the server running); its output goes to `<dir>/cognito-local.log`.
 * Usernames need not be emails (`UsernameAttributes: []`), as in a real pool without username attributes.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<EmulatorHandle> {
  const port = options.port === 0 ? await freePort() : options.port;
  const endpoint = `http://${HOST}:${port}`;
  mkdirSync(path.join(options.dir, '.cognito'), { recursive: true });
  writeFileSync(
    path.join(options.dir, '.cognito', 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }, null, 2),
  );
  const startScript = path.join(path.dirname(require.resolve('cognito-local/package.json')), 'lib/bin/start.js');
  const logFile = path.join(options.dir, 'cognito-local.log');
  const child = launchChild({
    script: startScript,
    cwd: options.dir,
    env: { ...process.env, PORT: String(port), HOST, DEBUG: '' },
    output: { file: logFile },
    killAfterMs: 2000,
  });
  try {
    await waitForHealth(`${endpoint}/health`, child.process, options.startTimeoutMs ?? 15000);
  } catch (error) {
    await child.stop();
    const output = readFileSync(logFile, 'utf8').slice(-2000);
    throw new Error(`cognito-local did not start on ${endpoint}: ${(error as Error).message}\n${output}`);
  }
  return { endpoint, port, stop: child.stop };
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`process exited (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`no healthy answer within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface DynaliteOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** LevelDB folder to keep data across runs; in memory when absent. */
  readonly path?: string;
}

export interface DynaliteHandle extends EmulatorHandle {
  /** Test hook: stop listening and drop every socket (clients see ECONNREFUSED), keeping the data in memory. */
  suspend(): Promise<void>;
  /** Test hook: listen again on the same port, with the same data. */
  resume(): Promise<void>;
}

/** dynalite in this process: tables are ACTIVE at once (`createTableMs: 0`). No TTL (UpdateTimeToLive is missing). */
export async function startDynalite(options: DynaliteOptions): Promise<DynaliteHandle> {
  const server: HttpServer = dynalite({ createTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
  let stopped: Promise<void> | undefined;
  const stop = () => {
    // dynalite's close waits up to 30 s for keep-alive sockets (the SDK's): drop them first.
    stopped ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return stopped;
  };
  // dynalite's own close() and listen() also close and recreate its database: go around them to keep the data.
  const suspend = () =>
    new Promise<void>((resolve) => {
      if (!server.listening) return resolve();
      HttpServer.prototype.close.call(server, () => resolve());
      server.closeAllConnections();
    });
  const resume = () =>
    new Promise<void>((resolve, reject) => {
      if (server.listening) return resolve();
      server.once('error', reject);
      (HttpServer.prototype.listen as (this: HttpServer, ...args: unknown[]) => HttpServer).call(server, address.port, HOST, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
  return { endpoint: `http://${HOST}:${address.port}`, port: address.port, stop, suspend, resume };
}
