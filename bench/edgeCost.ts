/**
 * `npm run bench:edge`: what limits per tenant cost the pop path (docs/edge.md), in one run. Two local stacks
 * side by side, the same pops to each, in alternating rounds:
 * - baseline: API Gateway's Cognito authorizer in the gateway and no usage plan (as before: local/gateway/index.ts
 *   `restAuthorizer: 'cognito'`, kept for this comparison only);
 * - limits: the Lambda REQUEST authorizer (lambdas/auth/restAuthorizer.ts: the IdToken, the revocation read, the tenant's
 *   key) in its execution environments, and the tenant's token bucket on the default usage plan (set high, so nothing
 *   is refused: the mechanism's cost, not a throttle's).
 * Prints POST /pop's p50 (answer and delivery to the instance) and CPU per pop of the stack's processes (gateway and
 * functions, dynalite, cognito-local), and the ratios limits / baseline. Settings (environment): BENCH_EDGE_POPS
 * (per round and stack, default 200), BENCH_EDGE_ROUNDS (default 4), BENCH_EDGE_CONCURRENCY (default 4).
 */
import { mkdtempSync, rmSync } from 'fs';
import { Agent } from 'http';
import * as os from 'os';
import * as path from 'path';
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS } from '../local/provision';
import { ensureTenantKey } from '../provisioning/tenantKeys';
import { createTenantUser } from '../provisioning/tenantUsers';
import { BenchInstance, Receipts } from './instances';
import { httpRequest, runPops } from './pops';
import { processCpuMs, startStackChild, type StackChild } from './stackChild';
import { distribution, type Distribution } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';

/** Pops per round and stack, rounds, callers at once. */
export interface EdgeCostCounts {
  readonly pops: number;
  readonly rounds: number;
  readonly concurrency: number;
}

const countsFromEnv = (): EdgeCostCounts => ({
  pops: Number(process.env.BENCH_EDGE_POPS ?? 200),
  rounds: Number(process.env.BENCH_EDGE_ROUNDS ?? 4),
  concurrency: Number(process.env.BENCH_EDGE_CONCURRENCY ?? 4),
});
const AGENTS = ['agent-0', 'agent-1', 'agent-2', 'agent-3', 'agent-4'];
const password = (tag: string) => `Bench-${tag}-${Math.random().toString(36).slice(2, 10)}9a!`;

type Mode = 'baseline' | 'limits';

interface Side {
  readonly mode: Mode;
  readonly stack: StackChild;
  readonly idToken: string;
  readonly instance: BenchInstance;
  readonly receipts: Receipts;
  readonly accept: number[];
  readonly delivery: number[];
  cpuMs: number;
  pops: number;
}

/** CPU ms so far of the stack's processes: the gateway and its functions' threads, dynalite, cognito-local. */
async function stackCpuMs(stack: StackChild): Promise<number> {
  const { cpu } = await stack.request<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  return (cpu.user + cpu.system) / 1000 + processCpuMs(stack.dynalitePid) + processCpuMs(stack.cognitoPid);
}

async function tokenOf(agent: Agent, restApiUrl: string, user: { username: string; password: string }) {
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const answer = await httpRequest(agent, 'GET', `${restApiUrl}/auth`, { Authorization: basic });
  if (answer.status !== 200) throw new Error(`GET /auth answered ${answer.status}`);
  return (JSON.parse(answer.text) as { Result: { IdToken: string } }).Result.IdToken;
}

/** A stack of the mode with the bench tenant's caller, its instance (five agents) and, with limits, its key. */
async function startSide(mode: Mode, dir: string, agent: Agent): Promise<Side> {
  const extra =
    mode === 'baseline' ? { restAuthorizer: 'cognito' as const } : { tenantThrottle: { rate: 10_000, burst: 5_000 } };
  const stack = await startStackChild(
    path.join(dir, mode),
    path.join(dir, `${mode}.log`),
    'environments',
    undefined,
    extra,
  );
  const e = stack.endpoints;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: e.CognitoEndpoint,
    region: e.Region,
    credentials: LOCAL_CREDENTIALS,
  });
  const api = { username: 'edge-api', password: password('api') };
  const inst = { username: 'edge-instance', password: password('inst') };
  await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'api', ...api });
  await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'instance', ...inst });
  cognito.destroy();
  if (mode === 'limits') {
    const client = new APIGatewayClient({
      endpoint: e.ApiGatewayEndpoint,
      region: e.Region,
      credentials: LOCAL_CREDENTIALS,
    });
    const stage = new URL(e.RestApiUrl).pathname.slice(1);
    await ensureTenantKey(
      { client, restApiId: e.RestApiId!, stage, defaultUsagePlanId: e.DefaultUsagePlanId! },
      'bench',
    );
    client.destroy();
  }
  const receipts = new Receipts();
  const instanceToken = await tokenOf(agent, e.RestApiUrl, inst);
  const instance = await BenchInstance.connect({
    webSocketUrl: e.WebSocketUrl,
    idToken: instanceToken,
    instanceName: `edge-${mode}`,
    agents: AGENTS,
    receipts,
    role: 'bench',
    ack: true,
  });
  const idToken = await tokenOf(agent, e.RestApiUrl, api);
  return { mode, stack, idToken, instance, receipts, accept: [], delivery: [], cpuMs: 0, pops: 0 };
}

/** One round of pops to one side; `measure` false for the warm-up. */
async function round(
  side: Side,
  agent: Agent,
  label: string,
  counts: { readonly total: number; readonly concurrency: number },
  measure: boolean,
): Promise<void> {
  const before = await stackCpuMs(side.stack);
  const run = await runPops({
    label,
    restApiUrl: side.stack.endpoints.RestApiUrl,
    idToken: side.idToken,
    agent,
    concurrency: counts.concurrency,
    total: counts.total,
    agents: AGENTS,
    receipts: side.receipts,
    drainMs: 2000,
  });
  const after = await stackCpuMs(side.stack);
  if (run.accepted !== run.sent || run.lost > 0)
    throw new Error(
      `${label}: ${run.accepted}/${run.sent} accepted ${JSON.stringify(run.statusCounts)}, ${run.lost} lost`,
    );
  if (!measure) return;
  side.accept.push(...run.samples.accept);
  side.delivery.push(...run.samples.delivery);
  side.cpuMs += after - before;
  side.pops += run.delivery.n;
}

interface Figures {
  readonly accept: Distribution;
  readonly delivery: Distribution;
  readonly cpuMsPerPop: number;
}

const figuresOf = (side: Side): Figures => ({
  accept: distribution(side.accept),
  delivery: distribution(side.delivery),
  cpuMsPerPop: Number((side.cpuMs / Math.max(1, side.pops)).toFixed(3)),
});

export interface EdgeCost extends EdgeCostCounts {
  readonly baseline: Figures;
  readonly limits: Figures;
  /** limits / baseline. */
  readonly ratios: { readonly acceptP50: number; readonly deliveryP50: number; readonly cpuPerPop: number };
}

/** The two stacks, a warm-up round each, then `rounds` rounds alternating which goes first. */
export async function measureEdgeCost(
  counts: EdgeCostCounts = countsFromEnv(),
  log: (line: string) => void = () => undefined,
): Promise<EdgeCost> {
  const { pops, rounds, concurrency } = counts;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-bench-edge-'));
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const sides: Side[] = [];
  try {
    for (const mode of ['baseline', 'limits'] as const) sides.push(await startSide(mode, dir, agent));
    for (const side of sides) await round(side, agent, `${side.mode}-warm`, { total: 30, concurrency }, false);
    for (let r = 0; r < rounds; r++) {
      for (const side of r % 2 === 0 ? sides : [...sides].reverse()) {
        await round(side, agent, `${side.mode}-${r}`, { total: pops, concurrency }, true);
        log(`edge: round ${r + 1}/${rounds} ${side.mode} done`);
      }
    }
    const [baseline, limits] = sides.map(figuresOf) as [Figures, Figures];
    const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
    return {
      pops,
      rounds,
      concurrency,
      baseline,
      limits,
      ratios: {
        acceptP50: ratio(limits.accept.p50, baseline.accept.p50),
        deliveryP50: ratio(limits.delivery.p50, baseline.delivery.p50),
        cpuPerPop: ratio(limits.cpuMsPerPop, baseline.cpuMsPerPop),
      },
    };
  } finally {
    for (const side of sides) side.instance.close();
    await Promise.all(sides.map((side) => side.stack.stop()));
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  measureEdgeCost(countsFromEnv(), (line) => process.stderr.write(`${line}\n`))
    .then((cost) => {
      process.stdout.write(`${JSON.stringify(cost, null, 2)}\n`);
      process.stdout.write(
        `POST /pop with the Lambda authorizer and limits per tenant, against the Cognito authorizer without: ` +
          `answer p50 ${cost.limits.accept.p50} vs ${cost.baseline.accept.p50} ms (x${cost.ratios.acceptP50}), ` +
          `CPU per pop ${cost.limits.cpuMsPerPop} vs ${cost.baseline.cpuMsPerPop} ms (x${cost.ratios.cpuPerPop})\n`,
      );
    })
    .catch((error) => {
      process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    });
}
