/**
 * dynalite in a process of its own (started by `startDynalite`, emulators.ts, through the launcher), so that the
 * emulator and the handlers' environments use both cores. Options as JSON in DYNALITE_OPTIONS (`port`, 0 for a free
 * one; `path`, a LevelDB folder, in memory when absent). Sends `{type: 'listening', port}` once up, then answers
 * `{id, type: 'suspend' | 'resume'}` with `{type: 'answer', id, error?}`: the fault hooks of the e2e tests
 * (test/e2e/reliability/faults.test.ts), DynamoDB down and back on the same port with its data kept.
 */
import { Server as HttpServer } from 'http';
import dynalite from 'dynalite';

export type DynaliteCommand = { readonly id: number; readonly type: 'suspend' | 'resume' };
export type DynaliteMessage =
  | { readonly type: 'listening'; readonly port: number }
  | { readonly type: 'answer'; readonly id: number; readonly error?: string };

const HOST = '127.0.0.1';
const send = (message: DynaliteMessage) => process.send?.(message);

// dynalite's own close() and listen() also close and recreate its database: go around them to keep the data.
function suspend(server: HttpServer): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    HttpServer.prototype.close.call(server, () => resolve());
    server.closeAllConnections();
  });
}

function resume(server: HttpServer, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once('error', reject);
    (HttpServer.prototype.listen as (this: HttpServer, ...args: unknown[]) => HttpServer).call(
      server,
      port,
      HOST,
      () => {
        server.removeListener('error', reject);
        resolve();
      },
    );
  });
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.DYNALITE_OPTIONS ?? '{}') as { port?: number; path?: string };
  // Tables are ACTIVE at once (`createTableMs: 0`).
  const server: HttpServer = dynalite({ createTableMs: 0, ...(options.path ? { path: options.path } : {}) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, HOST, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite has no TCP address');
  process.on('message', (command: DynaliteCommand) => {
    const done = command.type === 'suspend' ? suspend(server) : resume(server, address.port);
    done.then(
      () => send({ type: 'answer', id: command.id }),
      (error: Error) => send({ type: 'answer', id: command.id, error: error.message }),
    );
  });
  process.on('disconnect', () => process.exit(0));
  send({ type: 'listening', port: address.port });
}

main().catch((error: unknown) => {
  process.stderr.write(`dynalite failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
