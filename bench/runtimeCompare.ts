/**
 * The local runtime compared in one run: the same stack with every function in the gateway's event loop
 * (`runtime: 'inProcess'`, the old mode) and in execution environments (`'environments'`, worker threads,
 * local/gateway/environments.ts), one after the other on the same machine. For each: closed-loop latency at 1 and 32
 * callers, throughput at 64 callers (saturation), and an open loop of 100 pops/s for 60 s. Prints each target as a
 * ratio of the two modes and writes `.local/bench/runtime-compare.json`. `npx tsx bench/runtimeCompare.ts`;
 * BENCH_QUICK=1 for small counts (the figures then mean nothing).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { Agent } from 'http';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS } from '../local/provision';
import type { StackProcessOptions } from '../local/stackProcess';
import { createTenantUser } from '../provisioning/tenantUsers';
import { BenchInstance, connectAll, Receipts } from './instances';
import { httpRequest, runPops, type PopRunResult } from './pops';
import { processCpuMs, startStackChild, type StackChild } from './stackChild';
import { distribution, fmt, type Distribution } from './stats';

type Mode = NonNullable<StackProcessOptions['runtime']>;
const QUICK = process.env.BENCH_QUICK === '1';
const N = QUICK
  ? { runs: 1, pops: 100, warmup: 128, openRate: 100, openSeconds: 5 }
  : { runs: 3, pops: 700, warmup: 640, openRate: 100, openSeconds: 60 };
const ROOT = path.resolve(__dirname, '..');
const progress = (line: string) =>
  process.stderr.write(`[runtime ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const password = (tag: string) => `Bench-${tag}-${Math.random().toString(36).slice(2, 10)}9a!`;

interface Bench {
  readonly stack: StackChild;
  readonly idToken: string;
  readonly agents: string[];
  readonly receipts: Receipts;
  readonly httpAgent: Agent;
  readonly instances: BenchInstance[];
}

interface OpenLoopResult {
  readonly ratePerSecond: number;
  readonly seconds: number;
  readonly sent: number;
  readonly accepted: number;
  /** HTTP status of every pop sent (-1: no answer). */
  readonly statusCounts: Record<string, number>;
  readonly lost: number;
  readonly doubled: number;
  readonly delivery: Distribution;
}

async function tokenOf(
  bench: Pick<Bench, 'stack' | 'httpAgent'>,
  user: { username: string; password: string },
): Promise<string> {
  const basic = `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
  const answer = await httpRequest(bench.httpAgent, 'GET', `${bench.stack.endpoints.RestApiUrl}/auth`, {
    Authorization: basic,
  });
  if (answer.status !== 200) throw new Error(`GET /auth answered ${answer.status}: ${answer.text}`);
  return (JSON.parse(answer.text) as { Result: { IdToken: string } }).Result.IdToken;
}

/** A stack in `mode`, the bench tenant's users, and 10 instances with 5 agents each (as bench/run.ts has them). */
async function setUp(mode: Mode, tmp: string): Promise<Bench> {
  const stack = await startStackChild(
    path.join(tmp, mode),
    path.join(ROOT, '.local', 'bench', `stack-${mode}.log`),
    mode,
  );
  const e = stack.endpoints;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: e.CognitoEndpoint,
    region: e.Region,
    credentials: LOCAL_CREDENTIALS,
  });
  const api = { username: 'bench-api', password: password('api') };
  const inst = { username: 'bench-instance', password: password('inst') };
  await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'api', ...api });
  await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'instance', ...inst });
  cognito.destroy();
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 128 });
  const receipts = new Receipts();
  const idToken = await tokenOf({ stack, httpAgent }, api);
  const instanceToken = await tokenOf({ stack, httpAgent }, inst);
  const agents: string[] = [];
  const options = Array.from({ length: 10 }, (_, k) => {
    const own = Array.from({ length: 5 }, (_, j) => `agent-${k}-${j}`);
    agents.push(...own);
    return {
      webSocketUrl: e.WebSocketUrl,
      idToken: instanceToken,
      instanceName: `bench-i${k}`,
      agents: own,
      receipts,
      role: 'bench' as const,
      ack: true,
    };
  });
  const instances = await connectAll(options, 10);
  return { stack, idToken, agents, receipts, httpAgent, instances };
}

function popBody(nonce: string, agent: string): string {
  return JSON.stringify({
    Username: agent,
    Campaign: 'Sales',
    Reference: `REF-${nonce}`,
    ScriptData: { BenchNonce: nonce, 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
  });
}

/** Open loop: one pop every 1/rate s whatever the answers, for `seconds`; then every accepted pop checked once. */
async function openLoop(bench: Bench, label: string, rate: number, seconds: number): Promise<OpenLoopResult> {
  const url = `${bench.stack.endpoints.RestApiUrl}/pop`;
  const headers = { Authorization: `Bearer ${bench.idToken}`, 'Content-Type': 'application/json' };
  const sent: { nonce: string; t0: number; status: number; popId?: string }[] = [];
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (let index = 0; index < rate * seconds; index++) {
    const due = started + (index * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const record: (typeof sent)[number] = { nonce: `${label}-${index}`, t0: performance.now(), status: 0 };
    sent.push(record);
    const body = popBody(record.nonce, bench.agents[index % bench.agents.length]!);
    inFlight.push(
      httpRequest(bench.httpAgent, 'POST', url, headers, body).then(
        (answer) => {
          record.status = answer.status;
          if (answer.status === 202)
            record.popId = (JSON.parse(answer.text) as { Result: { PopId: string } }).Result.PopId;
        },
        () => void (record.status = -1),
      ),
    );
  }
  await Promise.all(inFlight);
  await new Promise((resolve) => setTimeout(resolve, 2000)); // the last arrivals, and time for a doubled one to show
  const accepted = sent.filter((record) => record.status === 202);
  const statusCounts: Record<string, number> = {};
  for (const record of sent) statusCounts[record.status] = (statusCounts[record.status] ?? 0) + 1;
  const delivery: number[] = [];
  let lost = 0;
  let doubled = 0;
  for (const record of accepted) {
    const receipt = bench.receipts.byNonce.get(record.nonce);
    if (!receipt || receipt.popId !== record.popId) lost++;
    else {
      delivery.push(receipt.at - record.t0);
      doubled += receipt.count - 1;
    }
  }
  return {
    ratePerSecond: rate,
    seconds,
    sent: sent.length,
    accepted: accepted.length,
    statusCounts,
    lost,
    doubled,
    delivery: distribution(delivery),
  };
}

interface ModeFigures {
  readonly mode: Mode;
  readonly readyMs: number;
  readonly closed: Record<string, PopRunResult[]>;
  readonly stackCpuMsPerPopAt64: number;
  readonly openLoop: OpenLoopResult;
}

const closedRun = (bench: Bench, label: string, concurrency: number, total: number) =>
  runPops({
    label,
    restApiUrl: bench.stack.endpoints.RestApiUrl,
    idToken: bench.idToken,
    agent: bench.httpAgent,
    concurrency,
    total,
    agents: bench.agents,
    receipts: bench.receipts,
  });

/** Every figure of one mode: warm-up at 64 callers (each environment's cold start), then the measured runs. */
async function measureMode(mode: Mode, tmp: string): Promise<ModeFigures> {
  const t0 = performance.now();
  const bench = await setUp(mode, tmp);
  const readyMs = performance.now() - t0;
  try {
    await closedRun(bench, `${mode}-warmup`, 64, N.warmup);
    const closed: Record<string, PopRunResult[]> = { '1': [], '32': [], '64': [] };
    let cpuMs = 0;
    let pops = 0;
    for (let r = 0; r < N.runs; r++) {
      for (const callers of [1, 32, 64]) {
        const cpuBefore = processCpuMs(bench.stack.pid);
        const run = await closedRun(bench, `${mode}-c${callers}-r${r}`, callers, N.pops);
        if (callers === 64) [cpuMs, pops] = [cpuMs + processCpuMs(bench.stack.pid) - cpuBefore, pops + run.delivery.n];
        progress(
          `${mode} ${callers} callers: delivery p50/p99 ${fmt(run.delivery.p50)}/${fmt(run.delivery.p99)} ms, ${run.deliveredPerSecond} pops/s, ${run.accepted}/${run.sent} accepted, lost ${run.lost}, doubled ${run.doubled}`,
        );
        closed[String(callers)]!.push(run);
      }
    }
    progress(`${mode}: open loop ${N.openRate} pops/s for ${N.openSeconds} s`);
    const openLoopResult = await openLoop(bench, `${mode}-open`, N.openRate, N.openSeconds);
    progress(
      `${mode} open loop: p50/p99 ${fmt(openLoopResult.delivery.p50)}/${fmt(openLoopResult.delivery.p99)} ms, lost ${openLoopResult.lost}, doubled ${openLoopResult.doubled}`,
    );
    return { mode, readyMs, closed, stackCpuMsPerPopAt64: cpuMs / Math.max(1, pops), openLoop: openLoopResult };
  } finally {
    await Promise.all(bench.instances.map((instance) => instance.close()));
    bench.httpAgent.destroy();
    await bench.stack.stop();
  }
}

const medianOf = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const spread = (values: number[]) =>
  `${fmt(medianOf(values))} (${fmt(Math.min(...values))}-${fmt(Math.max(...values))})`;

/** The issue's targets as ratios of the two modes of this run: medians of the runs, with the runs' spread. */
function targets(old: ModeFigures, now: ModeFigures) {
  const pick = (figures: ModeFigures, callers: string, value: (run: PopRunResult) => number) =>
    figures.closed[callers]!.map(value);
  const ratio = (a: number[], b: number[]) => ({
    ratio: Number((medianOf(a) / medianOf(b)).toFixed(2)),
    spread: `${(Math.min(...a) / Math.max(...b)).toFixed(2)}-${(Math.max(...a) / Math.min(...b)).toFixed(2)}`,
  });
  const throughput = ratio(
    pick(now, '64', (r) => r.deliveredPerSecond),
    pick(old, '64', (r) => r.deliveredPerSecond),
  );
  const p99 = ratio(
    pick(now, '32', (r) => r.delivery.p99),
    pick(old, '32', (r) => r.delivery.p99),
  );
  const p50Delta = medianOf(pick(now, '1', (r) => r.delivery.p50)) - medianOf(pick(old, '1', (r) => r.delivery.p50));
  const open = now.openLoop;
  return {
    saturationThroughput: { ...throughput, target: '>= 1.8', met: throughput.ratio >= 1.8 },
    deliveryP99At32: { ...p99, target: '<= 0.5', met: p99.ratio <= 0.5 },
    deliveryP50At1DeltaMs: { value: Number(p50Delta.toFixed(2)), target: '<= 1 ms', met: p50Delta <= 1 },
    openLoop: {
      p99: open.delivery.p99,
      lost: open.lost,
      doubled: open.doubled,
      target: 'p99 < 25 ms, 0 lost, 0 doubled',
      met: open.delivery.p99 < 25 && open.lost === 0 && open.doubled === 0 && open.accepted === open.sent,
    },
  };
}

function printMode(figures: ModeFigures): string[] {
  const lines = [
    `${figures.mode} (stack ready in ${fmt(figures.readyMs, 0)} ms, stack process CPU at 64 callers ${fmt(figures.stackCpuMsPerPopAt64, 2)} ms/pop):`,
  ];
  for (const callers of ['1', '32', '64']) {
    const runs = figures.closed[callers]!;
    lines.push(
      `  ${callers.padStart(2)} callers: delivery p50 ${spread(runs.map((r) => r.delivery.p50))}, p99 ${spread(runs.map((r) => r.delivery.p99))} ms, ${spread(runs.map((r) => r.deliveredPerSecond))} pops/s`,
    );
  }
  const open = figures.openLoop;
  lines.push(
    `  open loop ${open.ratePerSecond}/s x ${open.seconds} s: ${open.accepted}/${open.sent} accepted ${JSON.stringify(open.statusCounts)}, delivery p50 ${fmt(open.delivery.p50)} p99 ${fmt(open.delivery.p99)} ms, lost ${open.lost}, doubled ${open.doubled}`,
  );
  return lines;
}

async function main(): Promise<number> {
  const loadAtStart = os.loadavg();
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-runtime-'));
  mkdirSync(path.join(ROOT, '.local', 'bench'), { recursive: true });
  progress(`load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}${QUICK ? ' (BENCH_QUICK)' : ''}`);
  const old = await measureMode('inProcess', tmp);
  const now = await measureMode('environments', tmp);
  const result = {
    startedWith: loadAtStart,
    endedWith: os.loadavg(),
    quick: QUICK,
    modes: [old, now].map(({ closed, ...rest }) => ({
      ...rest,
      closed: Object.fromEntries(
        Object.entries(closed).map(([k, runs]) => [k, runs.map(({ samples, ...run }) => run)]),
      ),
    })),
    targets: targets(old, now),
  };
  writeFileSync(path.join(ROOT, '.local', 'bench', 'runtime-compare.json'), `${JSON.stringify(result, null, 2)}\n`);
  const lines = [...printMode(old), ...printMode(now), 'targets (environments against inProcess, this run):'];
  for (const [name, target] of Object.entries(result.targets)) lines.push(`  ${name}: ${JSON.stringify(target)}`);
  lines.push(
    `load average ${result.startedWith.map((l) => l.toFixed(2)).join(' ')} -> ${result.endedWith.map((l) => l.toFixed(2)).join(' ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = [old, now].some((f) =>
    Object.values(f.closed)
      .flat()
      .some((r) => r.lost > 0 || r.doubled > 0 || r.accepted !== r.sent),
  );
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
