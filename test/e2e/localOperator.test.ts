/**
 * `npm start` as an operator meets it (local/start.ts): a clean Ctrl-C, a taken port named by its variable, and the
 * folder of secrets owner-only. Each runs the real `npm start` on free ports in a temporary LOCAL_DIR.
 */
import { spawn, type ChildProcess } from 'child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'fs';
import { createServer, type Server } from 'http';
import type { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '../..');
const FREE_PORTS = {
  PORT: '0',
  WS_PORT: '0',
  COGNITO_PORT: '0',
  DYNAMODB_PORT: '0',
  CONSOLE_PORT: '0',
  CONTROL_PORT: '0',
};

interface Started {
  readonly child: ChildProcess;
  readonly output: { text: string };
  readonly exited: Promise<number | null>;
}

/** `npm start` in a process group of its own (as a terminal would run it), without a terminal. */
function npmStart(localDir: string, env: Record<string, string> = {}): Started {
  const child = spawn('npm', ['start'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...FREE_PORTS, ...env, LOCAL_DIR: localDir, NO_COLOR: '1' },
  });
  const output = { text: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output, exited };
}

async function until(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const mode = (file: string): string => (statSync(file).mode & 0o777).toString(8);

/** Every file and folder under `dir`, with its mode. */
function modes(dir: string): Record<string, string> {
  const found: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = path.join(at, entry.name);
      found[path.relative(dir, full)] = mode(full);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return found;
}

const base = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-operator-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('npm start', () => {
  it('creates LOCAL_DIR and every secret in it owner-only, and stops on Ctrl-C with exit 0, saying so once', async () => {
    const localDir = path.join(base, 'fresh', 'local');
    const run = npmStart(localDir);
    try {
      await until(
        () => /local stack ready in/.test(run.output.text),
        45_000,
        () => run.output.text,
      );
      // cognito-local's state (plain-text passwords, refresh tokens) was 0644.
      expect(mode(localDir)).toBe('700');
      const all = modes(localDir);
      const secrets = Object.entries(all).filter(([name]) => name !== 'endpoints.json');
      expect(Object.keys(all)).toEqual(
        // cognito-local's state lives in the data folder, beside the table's, so both survive a restart together.
        expect.arrayContaining([
          'instance.json',
          'demo.env',
          path.join('data', 'cognito', '.cognito', 'db', 'clients.json'),
          // The KMS emulation's key material (local/kms/): it opens every webhook secret in the table.
          path.join('data', 'kms', 'key.json'),
        ]),
      );
      for (const [name, found] of secrets) expect(`${name} ${found}`).toMatch(/ (600|700)$/);
    } finally {
      process.kill(-run.child.pid!, 'SIGINT');
    }
    expect(await run.exited).toBe(0);
    expect(run.output.text.match(/Local stack stopped\./g)).toHaveLength(1);
    expect(run.output.text).not.toMatch(/exited \(|again: exiting now|did not stop cleanly/);
  }, 60_000);

  describe('refuses a taken port and names the variable to change', () => {
    let taken: Server;
    let port: number;
    beforeAll(async () => {
      // Another stack's emulator: answers 200 to everything, /health included.
      taken = createServer((_req, res) => res.end('{}'));
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      port = (taken.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => taken.close(() => resolve())));

    it.each(['COGNITO_PORT', 'PORT', 'CONSOLE_PORT', 'CONTROL_PORT'])(
      '%s',
      async (variable) => {
        const run = npmStart(path.join(base, `taken-${variable}`), { [variable]: String(port) });
        expect(await run.exited).toBe(1);
        expect(run.output.text).toContain(`port ${port} (${variable}) is already in use by another process`);
        expect(run.output.text).toContain(`set ${variable} to a free port`);
        expect(run.output.text).not.toMatch(/stack ready in/);
      },
      45_000,
    );
  });
});
