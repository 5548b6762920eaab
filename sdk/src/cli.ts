/**
 * The `remote-pop` command (the package's bin, sdk/src/bin.ts): pop, status and watch through the SDK, for operators
 * and support. Credentials come from the environment only, never from arguments (which shells keep in history and
 * `ps` shows). Exit codes follow the project's CLI convention (provisioning/README.md): 0 done, 1 refused (the code
 * is printed) or the pop ended other than Opened, 2 usage, 3 the service was unavailable or the wait timed out.
 */
import { parseArgs } from 'node:util';
import { RemotePopClient } from './client';
import { PopNotOpenedError, RefusedError, RemotePopError, WaitTimeoutError } from './errors';
import type { FetchFunction } from './http';
import type { PopStatusResult, ScriptValue } from './types';

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly fetch?: FetchFunction;
}

export const USAGE = `Usage: remote-pop <command> [options]

  pop --agent <username> --campaign <name> [--reference <ref>] [--data 'Name=value']... [--idempotency-key <key>]
  status <PopId>
  watch <PopId> [--timeout <seconds>]      follow the pop until it is final

Options: --json (machine-readable output), --help
Environment: REMOTE_POP_URL (the RestApiUrl, e.g. http://127.0.0.1:3000/v1), REMOTE_POP_USERNAME, REMOTE_POP_PASSWORD
Exit codes: 0 done, 1 refused or the pop did not open, 2 usage, 3 service unavailable or timed out
`;

export const EXIT = { done: 0, refused: 1, usage: 2, unavailable: 3 } as const;

class UsageError extends Error {}

const OPTIONS = {
  agent: { type: 'string' },
  campaign: { type: 'string' },
  reference: { type: 'string' },
  data: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values'];

/** Runs one command; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    return usage(io, error instanceof Error ? error.message : String(error));
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? io.stdout : io.stderr)(USAGE);
    return values.help ? EXIT.done : EXIT.usage;
  }
  try {
    return await runCommand(positionals, values, io);
  } catch (error) {
    if (error instanceof UsageError) return usage(io, error.message);
    return reportFailure(error, values.json === true, io);
  }
}

async function runCommand(positionals: string[], values: Values, io: CliIo): Promise<number> {
  const [command, ...rest] = positionals;
  const json = values.json === true;
  if (command === 'pop') {
    if (rest.length > 0) throw new UsageError(`pop takes no positional argument (got "${rest[0]}")`);
    const request = popRequestOf(values);
    const idempotencyKey = values['idempotency-key'] ?? globalThis.crypto.randomUUID();
    const popId = await clientOf(io).pop(request, { idempotencyKey });
    io.stdout(
      json
        ? `${JSON.stringify({ PopId: popId, IdempotencyKey: idempotencyKey })}\n`
        : `Popped ${popId} (Idempotency-Key ${idempotencyKey})\n`,
    );
    return EXIT.done;
  }
  if (command !== 'status' && command !== 'watch') throw new UsageError(`unknown command "${command}"`);
  if (rest.length !== 1) throw new UsageError(`${command} takes one PopId`);
  const client = clientOf(io);
  if (command === 'status') {
    const pop = await client.getPop(rest[0]!);
    io.stdout(json ? `${JSON.stringify(pop)}\n` : `${describePop(pop)}\n`);
    return EXIT.done;
  }
  const timeoutMs = secondsOption(values.timeout ?? '60') * 1000;
  const onStatus = (pop: PopStatusResult) => io.stdout(json ? `${JSON.stringify(pop)}\n` : `${describePop(pop)}\n`);
  await client.waitFor(rest[0]!, { until: 'Opened', timeoutMs, onStatus });
  return EXIT.done;
}

function popRequestOf(values: Values) {
  if (!values.agent) throw new UsageError('pop needs --agent');
  if (!values.campaign) throw new UsageError('pop needs --campaign');
  const scriptData: Record<string, ScriptValue> = Object.create(null) as Record<string, ScriptValue>;
  for (const pair of values.data ?? []) {
    const equals = pair.indexOf('=');
    if (equals <= 0) throw new UsageError(`--data takes 'Name=value' (got "${pair}")`);
    scriptData[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return {
    Username: values.agent,
    Campaign: values.campaign,
    ...(values.reference === undefined ? {} : { Reference: values.reference }),
    ...(values.data === undefined ? {} : { ScriptData: scriptData }),
  };
}

function secondsOption(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new UsageError(`--timeout takes a number of seconds (got "${text}")`);
  return seconds;
}

function clientOf(io: CliIo): RemotePopClient {
  const { REMOTE_POP_URL: baseUrl, REMOTE_POP_USERNAME: username, REMOTE_POP_PASSWORD: password } = io.env;
  if (!baseUrl || !username || !password) {
    throw new UsageError('set REMOTE_POP_URL, REMOTE_POP_USERNAME and REMOTE_POP_PASSWORD in the environment');
  }
  return new RemotePopClient({ baseUrl, username, password, ...(io.fetch ? { fetch: io.fetch } : {}) });
}

function describePop(pop: PopStatusResult): string {
  const reason = pop.Reason ? ` (${pop.Reason})` : '';
  const reference = pop.Reference ? ` reference ${pop.Reference}` : '';
  return `${pop.PopId} ${pop.Status}${reason}: agent ${pop.Username}, campaign ${pop.Campaign}${reference}, updated ${pop.UpdatedAt}`;
}

function usage(io: CliIo, message: string): number {
  io.stderr(`Error: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

function reportFailure(error: unknown, json: boolean, io: CliIo): number {
  if (!(error instanceof RemotePopError)) throw error;
  const exit = error instanceof RefusedError || error instanceof PopNotOpenedError ? EXIT.refused : EXIT.unavailable;
  const kind = exit === EXIT.refused ? 'refused' : error instanceof WaitTimeoutError ? 'timed out' : 'unavailable';
  const fields = {
    code: error.code,
    status: error.status,
    message: error.apiMessage,
    details: error.details,
    requestId: error.requestId,
  };
  io.stdout(json ? `${JSON.stringify({ error: { kind, ...fields } })}\n` : '');
  io.stderr(`Error: ${kind}: ${error.message}\n`);
  return exit;
}
