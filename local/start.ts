/**
 * `npm start`: the whole system on this machine. Ports from PORT, WS_PORT, COGNITO_PORT, DYNAMODB_PORT; state under
 * LOCAL_DIR (default `.local`). Ctrl-C (or SIGTERM) stops everything.
 */
import './sdkQuiet';
import * as path from 'path';
import { formattedLog, outputMode, reformatHandlerLines } from './output';
import { startLocalStack, type LocalStack } from './stack';
import { parseSchedule } from '../lambdas/webhooks/backoff';

// The gateway prints one line per request; the handlers' JSON logs (as CloudWatch would hold them) only from Warn up,
// unless asked for: POWERTOOLS_LOG_LEVEL=INFO npm start.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`${name} must be a port number, got "${raw}"`);
  return port;
}

function positiveFrom(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return value;
}

/** POSIX shell single quotes. */
const q = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

function banner(stack: LocalStack, seconds: string, colour: boolean): string {
  const { endpoints: e, demo } = stack;
  const bold = (text: string) => (colour ? `\x1b[1m${text}\x1b[0m` : text);
  const lines = [
    '',
    bold('Endpoints') + ` (also in ${stack.localDir}/endpoints.json):`,
    ...Object.entries(e).map(([key, value]) => `  ${key.padEnd(17)} ${value}`),
    '',
    bold(`Demo tenant "${demo.tenant}"`) + ' (passwords are new on every start):',
    `  api caller         ${demo.api.username} / ${demo.api.password}`,
    `  Scripting instance ${demo.instance.username} / ${demo.instance.password}`,
    '',
    stack.demoInstanceNote
      ? `Demo Scripting instance: ${stack.demoInstanceNote}`
      : `Demo Scripting instance: config in ${stack.localDir}/instance.json (agent1 on the Desktop, campaign "Sales").`,
    ...(e.ConsoleUrl
      ? [`${bold('Console')}: ${e.ConsoleUrl} (sign in as ${demo.api.username}, the api caller above)`]
      : []),
    ...(e.DesktopUrl ? [`${bold("agent1's Desktop")}: ${e.DesktopUrl}`] : []),
    '',
    bold('Pop agent1') + ' (paste into another shell; needs curl and node):',
    `  source ${q(path.join(stack.localDir, 'demo.env'))}   # the api caller above, for curl and npm run cli`,
    `  ID_TOKEN=$(curl -s -u "$REMOTE_POP_USERNAME:$REMOTE_POP_PASSWORD" "$REMOTE_POP_URL/auth" | node -p 'JSON.parse(require("fs").readFileSync(0)).Result.IdToken')`,
    `  curl -s -X POST "$REMOTE_POP_URL/pop" -H "Authorization: Bearer $ID_TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '{"Username":"agent1","Campaign":"Sales","Reference":"ORDER-1001","ScriptData":{"Contact Name":"Ada Lovelace","var_ContactReason":"Renewal"}}'`,
    `  npm run cli -- pop --agent agent1 --campaign Sales --reference ORDER-1002 --wait`,
    '',
    colour
      ? `\x1b[1;32mRemote Pop local stack ready in ${seconds}s\x1b[0m (Ctrl-C stops it)`
      : `Remote Pop local stack ready in ${seconds}s (Ctrl-C stops it)`,
  ];
  return lines.join('\n');
}

/**
 * Ctrl-C reaches this process twice: from the terminal's process group, and again from npm, which forwards the
 * signals it gets to its child. A repeat within DUPLICATE_SIGNAL_MS is that same Ctrl-C; a later one, while the stop
 * is still running, means "now" and exits at once.
 */
const DUPLICATE_SIGNAL_MS = 1000;

function stopOnSignals(stack: LocalStack, say: (line: string) => void): void {
  let firstAt: number | undefined;
  const shutdown = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < DUPLICATE_SIGNAL_MS) return;
      say(`${signal} again: exiting now, without a clean stop`);
      process.exit(130);
    }
    firstAt = Date.now();
    say(`${signal}: stopping the local stack...`);
    stack.stop().then(
      () => {
        say('Local stack stopped.');
        process.exit(0);
      },
      (error: unknown) => {
        say(`The local stack did not stop cleanly: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => shutdown(signal));
}

const HELP = `npm start [-- --json]

The whole system on this machine: emulators, the REST and WebSocket APIs, a demo Scripting instance (local/README.md).
  --json     every event as one JSON object per line (the handlers' lines as CloudWatch would hold them)
  --help     this text
Ports and settings come from PORT, WS_PORT, COGNITO_PORT, DYNAMODB_PORT, CONSOLE_PORT, CONTROL_PORT, LOCAL_DIR, LOCAL_DATA_DIR, ID_TOKEN_VALIDITY_MINUTES,
CLAIM_WINDOW_SECONDS, WEBHOOK_RETRY_SECONDS (the webhook back-off, e.g. 1,2,5), LOCAL_TABLE_NAME (serve from a restored table)
and POWERTOOLS_LOG_LEVEL. Ctrl-C stops everything.`;

/** WEBHOOK_RETRY_SECONDS as the handlers read it (lambdas/shared/settings.ts): whole seconds, comma-separated. */
function retrySecondsFrom(): number[] | undefined {
  const text = process.env.WEBHOOK_RETRY_SECONDS;
  if (!text) return undefined;
  const schedule = parseSchedule(text);
  if (!schedule) throw new Error('WEBHOOK_RETRY_SECONDS: must be whole seconds, comma-separated');
  return schedule;
}

async function main(argv: readonly string[]): Promise<void> {
  const unknown = argv.filter((arg) => arg !== '--json' && arg !== '--help' && arg !== '-h');
  if (argv.includes('--help') || argv.includes('-h') || unknown.length > 0) {
    if (unknown.length > 0) console.error(`error: unknown option '${unknown[0]}'\n`);
    console.log(HELP);
    process.exit(unknown.length > 0 ? 2 : 0);
  }
  const mode = outputMode(argv, process.stdout, process.env);
  reformatHandlerLines(process.stdout, mode);
  reformatHandlerLines(process.stderr, mode);
  const log = formattedLog(mode, (line, stream) =>
    (stream === 'stdout' ? process.stdout : process.stderr).write(`${line}\n`),
  );
  const idTokenValidityMinutes = positiveFrom('ID_TOKEN_VALIDITY_MINUTES');
  const claimWindowSeconds = positiveFrom('CLAIM_WINDOW_SECONDS');
  const webhookRetrySeconds = retrySecondsFrom();
  const stack = await startLocalStack({
    ports: {
      rest: portFrom('PORT', 3000),
      ws: portFrom('WS_PORT', 3001),
      cognito: portFrom('COGNITO_PORT', 9229),
      dynamoDb: portFrom('DYNAMODB_PORT', 4567),
      console: portFrom('CONSOLE_PORT', 3002),
      control: portFrom('CONTROL_PORT', 4100),
    },
    localDir: process.env.LOCAL_DIR || '.local',
    // DynamoDB's data, the stream and the webhook queues outlive a restart (local/README.md); delete it to start empty.
    dataDir: process.env.LOCAL_DATA_DIR || path.join(process.env.LOCAL_DIR || '.local', 'data'),
    startDemoInstance: true,
    startConsole: true,
    log,
    ...(idTokenValidityMinutes ? { idTokenValidityMinutes } : {}),
    ...(claimWindowSeconds ? { claimWindowSeconds } : {}),
    ...(webhookRetrySeconds ? { webhookRetrySeconds } : {}),
    // A restored copy of the table (ops/README.md, "Rehearsing a restore"), as the deployed stack's adoptTableName.
    ...(process.env.LOCAL_TABLE_NAME ? { tableName: process.env.LOCAL_TABLE_NAME } : {}),
  });
  // The stop's own lines go through the same formatter; the banner is for people only.
  stopOnSignals(stack, (line) => log.info(`[stack] ${line}`));

  // Since this process started (tsx compile included), not since main() began.
  const seconds = process.uptime().toFixed(1);
  if (mode === 'json') log.info(`Remote Pop local stack ready in ${seconds}s: ${JSON.stringify(stack.endpoints)}`);
  else console.log(banner(stack, seconds, mode === 'pretty'));
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`The local stack did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
