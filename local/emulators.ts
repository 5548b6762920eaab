/**
 * The two emulators of the local stack, each a child process: cognito-local and dynalite (dynaliteProcess.ts).
 * Each `start*` returns a handle whose `stop()` leaves nothing running; a child also dies with its parent.
 */
import type { ChildProcess } from 'child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'fs';
import { randomUUID } from 'crypto';
import { createServer } from 'net';
import * as path from 'path';
import type { DynaliteCommand, DynaliteMessage } from './dynaliteProcess';
import { launchChild, type LaunchedChild } from './launcher';
import { assertPortFree, PortInUseError } from './ports';

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
  await assertPortFree('cognito', port);
  const endpoint = `http://${HOST}:${port}`;
  // Owner-only: the state holds every user's password and refresh tokens in plain text.
  mkdirSync(path.join(options.dir, '.cognito'), { recursive: true, mode: 0o700 });
  writeFileSync(
    path.join(options.dir, '.cognito', 'config.json'),
    JSON.stringify({ UserPoolDefaults: { UsernameAttributes: [] } }, null, 2),
    { mode: 0o600 },
  );
  const startScript = path.join(path.dirname(require.resolve('cognito-local/package.json')), 'lib/bin/start.js');
  const logFile = path.join(options.dir, 'cognito-local.log');
  const startToken = randomUUID();
  const child = launchChild({
    script: startScript,
    cwd: options.dir,
    env: { ...process.env, PORT: String(port), HOST, DEBUG: '', LOCAL_START_TOKEN: startToken },
    // cognitoChecks.js: the client's allowed flows and SECRET_HASH, which cognito-local does not check.
    preloads: [path.join(__dirname, 'startToken.js'), path.join(__dirname, 'cognitoChecks.js')],
    output: { file: logFile },
    killAfterMs: 2000,
    // cognito-local writes its db/*.json with the default modes: the umask makes them 0600 (and its folders 0700).
    umask: 0o077,
  });
  try {
    await waitForOwnEmulator(endpoint, startToken, child.process, options.startTimeoutMs ?? 15000);
  } catch (error) {
    await child.stop();
    if (error instanceof PortInUseError) throw error;
    const output = readFileSync(logFile, 'utf8').slice(-2000);
    throw new Error(`cognito-local did not start on ${endpoint}: ${(error as Error).message}\n${output}`);
  }
  return { endpoint, port, stop: child.stop };
}

/**
 * Waits until the emulator answering on `endpoint` is the one this call started: its start token (startToken.js)
 * matches. Another process answering there while ours exits (EADDRINUSE) is a taken port, not a ready emulator.
 */
async function waitForOwnEmulator(
  endpoint: string,
  token: string,
  child: ChildProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let someoneElse = false;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      if (someoneElse) throw new PortInUseError('cognito', Number(new URL(endpoint).port));
      throw new Error(`process exited (${child.exitCode ?? child.signalCode})`);
    }
    try {
      const response = await fetch(`${endpoint}/__local/start-token`, { signal: AbortSignal.timeout(1000) });
      if ((await response.text()) === token) return;
      someoneElse = true;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no answer from the emulator it started within ${timeoutMs} ms${someoneElse ? ' (another process answers on its port)' : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export interface DynaliteOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** LevelDB folder to keep data across runs; in memory when absent. */
  readonly path?: string;
  /** @default 15000 */
  readonly startTimeoutMs?: number;
}

export interface DynaliteHandle extends EmulatorHandle {
  /** Test hook: stop listening and drop every socket (clients see ECONNREFUSED), keeping the data in memory. */
  suspend(): Promise<void>;
  /** Test hook: listen again on the same port, with the same data. */
  resume(): Promise<void>;
}

/** Resolves with the port dynaliteProcess.ts listens on, or rejects if it exits or says nothing in time. */
function dynaliteListening(child: LaunchedChild, timeoutMs: number, output: () => string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`dynalite did not listen within ${timeoutMs} ms`)), timeoutMs);
    child.process.on('message', (message: DynaliteMessage) => {
      if (message.type !== 'listening') return;
      clearTimeout(timer);
      resolve(message.port);
    });
    void child.exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`dynalite exited before listening: ${output()}`));
    });
  });
}

/** Sends suspend or resume to dynaliteProcess.ts and waits for its answer. */
function dynaliteCommand(child: LaunchedChild): (type: DynaliteCommand['type']) => Promise<void> {
  let nextId = 0;
  return (type) =>
    new Promise<void>((resolve, reject) => {
      const id = ++nextId;
      const onMessage = (message: DynaliteMessage) => {
        if (message.type !== 'answer' || message.id !== id) return;
        child.process.off('message', onMessage);
        if (message.error) reject(new Error(`dynalite ${type}: ${message.error}`));
        else resolve();
      };
      child.process.on('message', onMessage);
      child.process.send({ id, type } satisfies DynaliteCommand);
    });
}

/**
 * dynalite in a child process of its own (dynaliteProcess.ts, through the launcher), so that it does not share a core
 * with the gateway. Tables are ACTIVE at once. No TTL (UpdateTimeToLive is missing).
 */
export async function startDynalite(options: DynaliteOptions): Promise<DynaliteHandle> {
  await assertPortFree('dynamoDb', options.port);
  let stderr = '';
  const child = launchChild({
    script: path.join(__dirname, 'dynaliteProcess.ts'),
    env: { ...process.env, DYNALITE_OPTIONS: JSON.stringify(options) },
    output: { lines: (line) => void (stderr += `${line}\n`) },
    ipc: true,
    killAfterMs: 2000,
    // With a `path`, its LevelDB files hold the table, webhook secrets included: owner-only, as cognito-local's.
    umask: 0o077,
  });
  let port: number;
  try {
    port = await dynaliteListening(child, options.startTimeoutMs ?? 15_000, () => stderr.slice(-2000));
  } catch (error) {
    await child.stop();
    throw error;
  }
  const command = dynaliteCommand(child);
  return {
    endpoint: `http://${HOST}:${port}`,
    port,
    stop: child.stop,
    suspend: () => command('suspend'),
    resume: () => command('resume'),
  };
}
