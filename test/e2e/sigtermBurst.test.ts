/**
 * Issue 25 must-hold: after a SIGTERM of the stack during a burst of pops, every pop the instance opened reads
 * `Opened` once the stack is started again over the same data folder and ports. The stop drains what the gateway
 * accepted (local/gateway), and the reference instance sends its final Acks again on the new connection.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchStack, type LaunchedStack } from '../../local/launcher';
import type { LocalStackPorts } from '../../local/stack';
import { eventually, startTestInstance, stopTestInstances, TestTenant } from './support/instanceHarness';

jest.setTimeout(120_000);

const POPS = 30;
/** The stop comes once this many are opened, while the rest are still in flight. */
const OPENED_BEFORE_STOP = 10;
const runDir = process.env.E2E_LOCAL_DIR ?? os.tmpdir();
const localDir = mkdtempSync(path.join(runDir, 'sigterm-stack-'));
const dataDir = path.join(localDir, 'data');
const stacks: LaunchedStack[] = [];

const portOf = (url: string) => Number(new URL(url).port);

async function launch(label: string, ports?: LocalStackPorts): Promise<LaunchedStack> {
  const stack = await launchStack(
    { localDir, dataDir, testHooks: true, gatewayLog: 'none', ...(ports ? { ports } : {}) },
    { label, timeoutMs: 120_000, env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } },
  );
  stacks.push(stack);
  return stack;
}

afterAll(async () => {
  await stopTestInstances();
  await Promise.all(stacks.map((s) => s.stop()));
  rmSync(path.join(localDir, 'cognito'), { recursive: true, force: true });
  rmSync(dataDir, { recursive: true, force: true });
});

test('a SIGTERM during a burst: every pop the instance opened reads Opened after the restart', async () => {
  const first = await launch('sigterm stack (first start)');
  const tenant = await TestTenant.create(first);
  const opened = new Set<string>();
  await startTestInstance(
    first,
    await tenant.newInstanceUser(),
    { agents: ['agent1'] },
    {
      openGate: async (pop) => {
        opened.add(pop.PopId);
      },
    },
  );
  await tenant.token();
  // The burst: pops in flight, and the stop once some are opened.
  const burst = Array.from({ length: POPS }, (_, i) =>
    tenant.pop({ Username: 'agent1', Campaign: 'Sales', Reference: `SIG-${i}` }).catch(() => undefined),
  );
  await eventually('pops opened', () => opened.size >= OPENED_BEFORE_STOP, 30_000, 5);
  const { endpoints } = first;
  await first.stop();
  await Promise.all(burst);
  expect(opened.size).toBeGreaterThanOrEqual(OPENED_BEFORE_STOP);

  const second = await launch('sigterm stack (second start)', {
    rest: portOf(endpoints.RestApiUrl),
    ws: portOf(endpoints.WebSocketUrl),
    cognito: portOf(endpoints.CognitoEndpoint),
    dynamoDb: portOf(endpoints.DynamoDbEndpoint),
  });
  expect(second.endpoints.RestApiUrl).toBe(endpoints.RestApiUrl);
  for (const popId of opened) expect((await tenant.settled(popId, 30_000)).Status).toBe('Opened');
});
