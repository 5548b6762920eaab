/**
 * The SDK against the local stack, on a stack of this file's own (local/launcher.ts launchStack) with the fault
 * hooks and bench/cognitoCounter.js preloaded into the Cognito emulator, so sign-ins are counted where they cost:
 * - 1,000 pops through one client make exactly one sign-in (AdminInitiateAuth at the emulator), each delivered once;
 * - DynamoDB stopped: a pop made through the SDK is retried (503, Retry-After) until the table is back, and arrives
 *   exactly once;
 * - Cognito down: a client that holds a token keeps popping; a new client's sign-in is retried (502) until the
 *   emulator is back, and its pop arrives exactly once;
 * - examples/crm-incoming-call.ts pops, waits for Opened and prints the outcome.
 */
import { execFile } from 'child_process';
import { mkdtempSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { promisify } from 'util';
import { launchStack, type LaunchedStack } from '../../../local/launcher';
import { RemotePopClient } from '../../../sdk/src';
import {
  connectInstance,
  createUser,
  getToken,
  uniqueTenant,
  type InstanceConnection,
  type TestUser,
} from '../support';
import { useStack } from '../support/faultStack';
import { recordSecret } from '../support/secrets';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '../../..');
let stack: LaunchedStack;
let caller: TestUser;
let desk: InstanceConnection;
/** Off during the 1,000 pops (an Ack per pop would double the stack's work there); on for waitFor. */
let acknowledge = false;
const lines: string[] = [];

beforeAll(async () => {
  const parent = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
  stack = await launchStack(
    { localDir: mkdtempSync(path.join(parent, 'sdk-stack-')), testHooks: true, gatewayLog: 'none' },
    {
      label: 'SDK e2e stack',
      env: {
        POWERTOOLS_LOG_LEVEL: 'INFO',
        // Inherited by the cognito-local process the stack spawns (inert elsewhere): counts its API calls.
        NODE_OPTIONS:
          `${process.env.NODE_OPTIONS ?? ''} --require ${path.join(ROOT, 'bench/cognitoCounter.js')}`.trim(),
      },
    },
  );
  useStack(stack);
  const tenant = uniqueTenant();
  const [api, instance] = await Promise.all([createUser(tenant, 'api'), createUser(tenant, 'instance')]);
  caller = api;
  desk = await connectInstance((await getToken(instance.username, instance.password)).IdToken, { instance: 'desk-1' });
  // Acknowledge like a Scripting instance that opens every pop, so waitFor sees Opened.
  desk.socket.on('message', (data) => {
    const message = JSON.parse(data.toString()) as { Type?: string; PopId?: string };
    if (acknowledge && message.Type === 'Pop') desk.send({ Action: 'Ack', PopId: message.PopId, Status: 'Opened' });
  });
  desk.send({ Action: 'Desktop', Agents: ['agent1'] });
  desk.send({ Action: 'Ping' });
  await desk.waitForMessage((m) => m?.Type === 'Pong');
});

afterAll(async () => {
  await desk?.close();
  await stack?.stop();
});

const newClient = (retry = {}) =>
  new RemotePopClient({
    baseUrl: stack.endpoints.RestApiUrl,
    username: caller.username,
    password: caller.password,
    retry,
    logger: (line) => lines.push(line),
  });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function cognitoCalls(): Promise<Record<string, number>> {
  return (await (await fetch(`${stack.endpoints.CognitoEndpoint}/__bench/cognito-calls`)).json()) as Record<
    string,
    number
  >;
}

async function deliveredOnce(popIds: string[]): Promise<void> {
  await desk.waitForMessage((m) => m?.Type === 'Pop' && m.PopId === popIds[popIds.length - 1]);
  desk.send({ Action: 'Ping' });
  await pause(100);
  const received = desk.messages.filter((m: any) => m?.Type === 'Pop').map((m: any) => m.PopId as string);
  for (const popId of popIds) expect(received.filter((id) => id === popId)).toHaveLength(1);
}

it('1,000 pops through one client make exactly one sign-in, each delivered once', async () => {
  const before = await cognitoCalls();
  const client = newClient();
  const popIds: string[] = [];
  const started = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < 1000) {
        const n = next++;
        popIds.push(await client.pop({ Username: 'agent1', Campaign: 'Sales', Reference: `BULK-${n}` }));
      }
    }),
  );
  const after = await cognitoCalls();
  expect(new Set(popIds).size).toBe(1000);
  expect((after.AdminInitiateAuth ?? 0) - (before.AdminInitiateAuth ?? 0)).toBe(1);
  console.log(
    `1,000 SDK pops in ${Date.now() - started} ms; Cognito calls: ${JSON.stringify(Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)])))}`,
  );
  await deliveredOnce(popIds);
});

it('with DynamoDB stopped, a pop made through the SDK is retried until the table is back and arrives exactly once', async () => {
  const client = newClient();
  await client.pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'WARM-UP' });
  await stack.fault('stopDynamoDb');
  const pending = client.pop(
    { Username: 'agent1', Campaign: 'Sales', Reference: 'DDB-SDK-1' },
    { idempotencyKey: 'sdk-ddb-outage-1' },
  );
  await pause(1500);
  await stack.fault('startDynamoDb');
  const popId = await pending;
  expect(lines.some((line) => /POST \/pop 503 ServiceUnavailable: attempt \d+ in \d+ ms/.test(line))).toBe(true);
  await deliveredOnce([popId]);
  expect(desk.messages.filter((m: any) => m?.Type === 'Pop' && m.Reference === 'DDB-SDK-1')).toHaveLength(1);
});

it('with Cognito down, a client holding a token keeps popping and a new client signs in once it is back', async () => {
  const holding = newClient();
  await holding.pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'COG-SDK-0' });
  await stack.fault('stopCognito');
  let fresh: Promise<string> | undefined;
  try {
    const kept = await holding.pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'COG-SDK-1' });
    fresh = newClient({ deadlineMs: 60_000 }).pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'COG-SDK-2' });
    await pause(1500);
    await deliveredOnce([kept]);
  } finally {
    await stack.fault('startCognito');
  }
  const popId = await fresh!;
  expect(lines.some((line) => /GET \/auth 50\d \w+: attempt \d+/.test(line))).toBe(true);
  await deliveredOnce([popId]);
});

it('examples/crm-incoming-call.ts pops, waits for Opened and prints the outcome', async () => {
  acknowledge = true;
  recordSecret('password', caller.password);
  const env = {
    ...process.env,
    REMOTE_POP_URL: stack.endpoints.RestApiUrl,
    REMOTE_POP_USERNAME: caller.username,
    REMOTE_POP_PASSWORD: caller.password,
  };
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(ROOT, 'examples/crm-incoming-call.ts'), 'agent1', '+44 1632 960001'],
    { cwd: ROOT, env },
  );
  expect(stdout).toMatch(/^popped \S+ for agent1\noutcome: Opened \(record CUST-960001\)\n$/);
  const refused = await promisify(execFile)(
    process.execPath,
    ['-r', 'tsx/cjs', path.join(ROOT, 'examples/crm-incoming-call.ts'), 'nobody'],
    { cwd: ROOT, env },
  ).catch((error: { code: number; stderr: string }) => error);
  expect(refused).toMatchObject({
    code: 1,
    stderr: expect.stringMatching(/^outcome: refused AgentNotOnDesktop \(RequestId \S+\)/),
  });
});
