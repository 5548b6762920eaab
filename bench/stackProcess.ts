/**
 * The local stack for the benchmark, in a process of its own (`node -r tsx/cjs bench/stackProcess.ts`): the same
 * `startLocalStack` as `npm start`, without the demo Scripting instance (local/start.ts has no switch for it, and an
 * extra process would share the two cores), with the gateway's request log and the handlers' JSON logs going to
 * stdout, which the runner makes a file (`.local/bench/stack.log`). The log level is the runner's (see run.ts).
 *
 * Ports from PORT, WS_PORT, COGNITO_PORT, DYNAMODB_PORT (0: free ports); state under LOCAL_DIR.
 * IPC: sends {type:'ready', endpoints} once up; answers {type:'cpu'} with this process's cpuUsage, and
 * {type:'profileStart'} / {type:'profileStop', file} with a V8 CPU profile of this process written to `file`.
 */
import '../local/sdkQuiet';
import { writeFileSync } from 'fs';
import { Session } from 'inspector';
import { startLocalStack } from '../local/stack';

type Request =
  | { type: 'cpu'; id: number }
  | { type: 'profileStart'; id: number }
  | { type: 'profileStop'; id: number; file: string };

function port(name: string): number {
  const value = Number(process.env[name] ?? '0');
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new Error(`${name} must be a port number`);
  return value;
}

function post(session: Session, method: string, params: object = {}): Promise<any> {
  return new Promise((resolve, reject) =>
    session.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
  );
}

async function main(): Promise<void> {
  const localDir = process.env.LOCAL_DIR;
  if (!localDir) throw new Error('LOCAL_DIR is required');
  const stack = await startLocalStack({
    ports: { rest: port('PORT'), ws: port('WS_PORT'), cognito: port('COGNITO_PORT'), dynamoDb: port('DYNAMODB_PORT') },
    localDir,
    startDemoInstance: false,
    // Distinct References per pop; the window only has to outlast the run.
    claimWindowSeconds: 60,
  });

  let session: Session | undefined;
  process.on('message', (message: Request) => {
    const answer = (body: object) => process.send?.({ id: message.id, ...body });
    const fail = (error: unknown) => answer({ error: String(error) });
    switch (message.type) {
      case 'cpu':
        answer({ cpu: process.cpuUsage(), memory: process.memoryUsage().rss });
        break;
      case 'profileStart':
        session = new Session();
        session.connect();
        post(session, 'Profiler.enable')
          .then(() => post(session!, 'Profiler.setSamplingInterval', { interval: 500 }))
          .then(() => post(session!, 'Profiler.start'))
          .then(() => answer({ ok: true }), fail);
        break;
      case 'profileStop':
        if (!session) {
          fail(new Error('no profile running'));
          break;
        }
        post(session, 'Profiler.stop')
          .then(({ profile }) => {
            writeFileSync(message.file, JSON.stringify(profile));
            session?.disconnect();
            session = undefined;
            answer({ ok: true });
          }, fail);
        break;
    }
  });

  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stack.stop().finally(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
  process.send?.({ type: 'ready', endpoints: stack.endpoints });
}

main().catch((error: unknown) => {
  process.send?.({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
