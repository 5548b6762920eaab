/**
 * The `remote-pop` command (the package's bin, sdk/src/bin.ts; from a checkout `npm run cli --`): every operation of
 * the API through the SDK, for operators and support (the commands are in cliCommands.ts). Credentials come from the
 * environment only, never from arguments (which shells keep in history and `ps` shows); without REMOTE_POP_URL, from
 * the local stack's `$LOCAL_DIR/demo.env` (LOCAL_DIR defaulting to `.local`, as `npm start` writes it). Exit codes follow the
 * project's CLI convention (provisioning/README.md): 0 done, 1 refused (the code is printed) or the pop ended other
 * than Opened, 2 usage, 3 the service was unreachable or unavailable, or the wait timed out.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { RemotePopClient } from './client';
import { COMMANDS, EXIT, UsageError, type CommandValues } from './cliCommands';
import { PopNotOpenedError, RefusedError, RemotePopError, WaitTimeoutError } from './errors';
import type { FetchFunction } from './http';

export { EXIT };

export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly fetch?: FetchFunction;
}

export const USAGE = `Usage: remote-pop <command> [options]

  pop --agent <username> --campaign <name> [--reference <ref>] [--data 'Name=value']... [--idempotency-key <key>]
      [--hold <seconds>] [--wait [--timeout <seconds>]]
                                         --hold: an agent on no Desktop gets it when they appear (1-86400 s), else
                                         it is Expired; --wait: follow the pop until it is final, as watch does
  validate --agent <username> --campaign <name> [--reference <ref>] [--data 'Name=value']... [--hold <seconds>]
                                         what a pop would do, without popping
  status <PopId>
  watch <PopId> [--timeout <seconds>]    follow the pop until it is final (default 60 s)
  recall <PopId>                         recall a pop that has not opened
  campaigns [<name>]                     the campaigns your connected instances publish
  events [--after <cursor>] [--limit <n>] [--follow]
                                         your tenant's pop events; --follow keeps reading (Ctrl-C stops)
  webhooks create --url <https URL> [--event <status>]...
  webhooks list | get <WebhookId> | rotate <WebhookId> | test <WebhookId> | delete <WebhookId>

Options: --json (one JSON value per line), --help
Environment: REMOTE_POP_URL (the stack's RestApiUrl, ending in /v1, e.g. http://127.0.0.1:3000/v1),
  REMOTE_POP_USERNAME, REMOTE_POP_PASSWORD (an api-caller). Without REMOTE_POP_URL, all three come from the local stack's
  $LOCAL_DIR/demo.env (LOCAL_DIR defaults to .local), which npm start writes.
Exit codes: 0 done, 1 refused or the pop did not open, 2 usage, 3 unreachable, unavailable or timed out
`;

const OPTIONS = {
  agent: { type: 'string' },
  campaign: { type: 'string' },
  reference: { type: 'string' },
  data: { type: 'string', multiple: true },
  'idempotency-key': { type: 'string' },
  hold: { type: 'string' },
  wait: { type: 'boolean' },
  timeout: { type: 'string' },
  after: { type: 'string' },
  limit: { type: 'string' },
  follow: { type: 'boolean' },
  url: { type: 'string' },
  event: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** No answer at all from the base URL: which request, and why (refused, no such host, the connect timeout). */
class UnreachableError extends Error {}

/** Why the client's work is cancelled once the command has its exit code. */
class CommandEnded extends Error {}

/** Connection-level failures: the address is wrong or nothing listens there; retrying for 30 s helps nobody. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** Runs one command; resolves with the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: { values: CommandValues & { help?: boolean }; positionals: string[] };
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
  const [name, ...args] = positionals;
  const command = COMMANDS[name!];
  if (!command) return usage(io, `unknown command "${name}"`);
  const json = values.json === true;
  const print = (human: string, value: unknown) => io.stdout(`${json ? JSON.stringify(value) : human}\n`);
  // Aborted when the command ends, however it ends: a sign-in or refresh it no longer waits for (the address was
  // unreachable) stops retrying instead of running on after the exit code.
  const abort = new AbortController();
  try {
    const client = clientOf(targetOf(io.env), io, abort);
    return await command({ client, values, args, print, signal: abort.signal });
  } catch (error) {
    if (error instanceof UsageError) return usage(io, `${name} ${error.message}`);
    return reportFailure(error, json, io);
  } finally {
    abort.abort(new CommandEnded());
  }
}

interface Target {
  readonly baseUrl: string;
  readonly username: string;
  readonly password: string;
}

/** The environment's REMOTE_POP_* settings; without REMOTE_POP_URL, all three from the local stack's demo.env. */
function targetOf(env: CliIo['env']): Target {
  const from = env.REMOTE_POP_URL ? env : localDemo(env);
  const { REMOTE_POP_URL: baseUrl, REMOTE_POP_USERNAME: username, REMOTE_POP_PASSWORD: password } = from;
  if (!baseUrl || !username || !password) {
    throw new UsageError(
      'needs REMOTE_POP_URL, REMOTE_POP_USERNAME and REMOTE_POP_PASSWORD in the environment (or a local stack: npm start writes them to $LOCAL_DIR/demo.env)',
    );
  }
  return { baseUrl, username, password };
}

/** `KEY=value` lines of `$LOCAL_DIR/demo.env` (quotes as the local stack writes them), or nothing. */
function localDemo(env: CliIo['env']): Record<string, string> {
  let text: string;
  try {
    text = readFileSync(path.join(env.LOCAL_DIR || '.local', 'demo.env'), 'utf8');
  } catch {
    return {};
  }
  const settings: Record<string, string> = {};
  for (const match of text.matchAll(/^(?:export\s+)?(REMOTE_POP_\w+)='((?:[^']|'\\'')*)'$/gm)) {
    settings[match[1]!] = match[2]!.replace(/'\\''/g, "'");
  }
  return settings;
}

/**
 * The client, with a fetch that ends the whole command at the first connection-level failure (naming the URL and
 * the cause) instead of retrying it until the SDK's deadline: a wrong address or a stopped stack is said at once, at
 * the latest after the connect timeout.
 */
function clientOf(target: Target, io: CliIo, abort: AbortController): RemotePopClient {
  const inner = io.fetch ?? ((input: string, init: RequestInit) => globalThis.fetch(input, init));
  const fetch: FetchFunction = async (input, init) => {
    try {
      return await inner(input, init);
    } catch (error) {
      const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
      // fetch refuses some ports outright (the WHATWG "bad port" list: 9, 25, 6000, ...), with no code.
      const code = typeof cause?.code === 'string' ? cause.code : cause?.message === 'bad port' ? 'bad port' : '';
      if (UNREACHABLE.has(code) || code === 'bad port') {
        const url = input.split('?')[0];
        abort.abort(new UnreachableError(`no answer from ${url}: ${code}${hostHint(code)}`));
      }
      throw error;
    }
  };
  return new RemotePopClient({ ...target, fetch, signal: abort.signal });
}

const hostHint = (code: string) =>
  code === 'ECONNREFUSED' ? ' (nothing listens there: is the stack running, is REMOTE_POP_URL right?)' : '';

function usage(io: CliIo, message: string): number {
  io.stderr(`Error: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

/** A 404 NotFound from API Gateway itself on a base URL without the stage: the likely mistake, said. */
function stageHint(error: RemotePopError, baseUrl: string | undefined): string {
  if (error.status !== 404 || error.code !== 'NotFound' || !baseUrl) return '';
  if (/\/v\d+\/?$/.test(baseUrl)) return '';
  return ` (REMOTE_POP_URL ${baseUrl} has no stage: the RestApiUrl ends in /v1, e.g. ${baseUrl.replace(/\/+$/, '')}/v1)`;
}

function reportFailure(error: unknown, json: boolean, io: CliIo): number {
  if (error instanceof UnreachableError) {
    io.stdout(json ? `${JSON.stringify({ error: { kind: 'unreachable', message: error.message } })}\n` : '');
    io.stderr(`Error: unreachable: ${error.message}\n`);
    return EXIT.unavailable;
  }
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
  const baseUrl = (io.env.REMOTE_POP_URL ? io.env : localDemo(io.env)).REMOTE_POP_URL;
  io.stderr(`Error: ${kind}: ${error.message}${stageHint(error, baseUrl)}\n`);
  return exit;
}
