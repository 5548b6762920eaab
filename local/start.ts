/**
 * `npm start`: the whole system on this machine. Ports from PORT, WS_PORT, COGNITO_PORT, DYNAMODB_PORT; state under
 * LOCAL_DIR (default `.local`). Ctrl-C (or SIGTERM) stops everything.
 */
import './sdkQuiet';
import { startLocalStack, type LocalStack } from './stack';

// The gateway prints one line per request; the handlers' JSON logs (as CloudWatch would hold them) only from Warn up,
// unless asked for: POWERTOOLS_LOG_LEVEL=INFO npm start.
process.env.POWERTOOLS_LOG_LEVEL ??= 'WARN';

function portFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, got "${raw}"`);
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

function banner(stack: LocalStack, seconds: string): string {
  const { endpoints: e, demo } = stack;
  const lines = [
    '',
    'Endpoints (also in ' + `${stack.localDir}/endpoints.json):`,
    ...Object.entries(e).map(([key, value]) => `  ${key.padEnd(17)} ${value}`),
    '',
    `Demo tenant "${demo.tenant}" (passwords are new on every start):`,
    `  api caller         ${demo.api.username} / ${demo.api.password}`,
    `  Scripting instance ${demo.instance.username} / ${demo.instance.password}`,
    '',
    stack.demoInstanceNote
      ? `Demo Scripting instance: ${stack.demoInstanceNote}`
      : `Demo Scripting instance: config in ${stack.localDir}/instance.json (agent1 on the Desktop, campaign "Sales").`,
    '',
    'Pop agent1 (paste into a shell; needs curl and node):',
    `  TOKEN=$(curl -s -u ${q(`${demo.api.username}:${demo.api.password}`)} ${e.RestApiUrl}/auth \\`,
    `    | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).Result.IdToken))')`,
    `  curl -s -X POST ${e.RestApiUrl}/pop -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\`,
    `    -d '{"Username":"agent1","Campaign":"Sales","Reference":"ORDER-1001","ScriptData":{"Contact Name":"Ada Lovelace","var_ContactReason":"Renewal"}}'`,
    '',
    `Remote Pop local stack ready in ${seconds}s`,
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const idTokenValidityMinutes = positiveFrom('ID_TOKEN_VALIDITY_MINUTES');
  const claimWindowSeconds = positiveFrom('CLAIM_WINDOW_SECONDS');
  const stack = await startLocalStack({
    ports: {
      rest: portFrom('PORT', 3000),
      ws: portFrom('WS_PORT', 3001),
      cognito: portFrom('COGNITO_PORT', 9229),
      dynamoDb: portFrom('DYNAMODB_PORT', 4567),
    },
    localDir: process.env.LOCAL_DIR || '.local',
    startDemoInstance: true,
    ...(idTokenValidityMinutes ? { idTokenValidityMinutes } : {}),
    ...(claimWindowSeconds ? { claimWindowSeconds } : {}),
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      console.error(`\n${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    stack
      .stop()
      .then(() => {
        console.log('Stopped.');
        process.exit(0);
      })
      .catch((error) => {
        console.error(error);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));

  // Since this process started (tsx compile included), not since main() began.
  const seconds = process.uptime().toFixed(1);
  console.log(banner(stack, seconds));
}

main().catch((error: unknown) => {
  console.error(`The local stack did not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
