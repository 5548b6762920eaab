/**
 * The local runtime compared in one run: the same stack with every function in the gateway's event loop
 * (`runtime: 'inProcess'`, the old mode) and in execution environments (`'environments'`, worker threads,
 * local/gateway/environments.ts), the latter twice: with the default maxEnvironments and with 64 (`environments:64`,
 * one environment per concurrent invocation, as the scheduler was before), one after the other on the same machine.
 * For each: closed-loop latency at 1 and 32 callers, throughput at 64 callers (saturation), an open loop of 100
 * pops/s for 60 s, and the CPU per pop of the gateway thread, the other threads, dynalite and this process. Prints
 * each target as a ratio against the single loop of the same run and writes `.local/bench/runtime-compare.json`.
 * `npm run bench:runtime`; BENCH_QUICK=1 for small counts (the figures then mean nothing); shorter runs while
 * profiling: BENCH_RUNS, BENCH_POPS, BENCH_WARMUP, BENCH_OPEN_SECONDS, BENCH_CALLERS (1,32,64), BENCH_MODES
 * (e.g. `environments:4,environments:8`), BENCH_PROFILE=<folder> (V8 profiles of the gateway thread and of every
 * environment).
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
import type { StackUsage } from '../local/stackProcess';
import { processCpuMs, startStackChild, threadCpuMs, type StackChild } from './stackChild';
import { summariseProfile } from './profile';
import { distribution, fmt, type Distribution } from './stats';

/** `inProcess`, `environments` (the default settings), or `environments:N` (maxEnvironments N: 64 is the scheduler of before, one environment per concurrent invocation). */
type Mode = string;
const runtimeOf = (mode: Mode) => mode.split(':')[0] as NonNullable<StackProcessOptions['runtime']>;
const QUICK = process.env.BENCH_QUICK === '1';
const DEFAULTS = QUICK
  ? { runs: 1, pops: 100, warmup: 128, openRate: 100, openSeconds: 5 }
  : { runs: 3, pops: 700, warmup: 640, openRate: 100, openSeconds: 60 };
/** A shorter run while profiling a change: BENCH_RUNS, BENCH_POPS, BENCH_OPEN_SECONDS (the figures then are rougher). */
const fromEnv = (name: string, fallback: number, least = 1) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < least) throw new Error(`${name} must be an integer of at least ${least}`);
  return value;
};
/** BENCH_MODES=environments measures one mode only (no targets then). */
const MODES: Mode[] = (process.env.BENCH_MODES ?? 'inProcess,environments:64,environments').split(',');
if (MODES.some((mode) => !/^(inProcess|environments(:\d+)?)$/.test(mode)))
  throw new Error('BENCH_MODES: inProcess, environments, environments:<maxEnvironments>');
/** BENCH_PROFILE=<folder>: a V8 CPU profile of the stack's main thread during the first 64-caller run. */
const PROFILE_DIR = process.env.BENCH_PROFILE;
/**
 * An `environments:N` mode's maxEnvironments, else BENCH_MAX_ENVIRONMENTS (local/gateway/environments.ts); with
 * BENCH_PROFILE, each environment's worker also writes a CPU profile (in <folder>/<mode>, when the stack stops).
 */
function environmentSettings(mode: Mode): StackProcessOptions['environments'] {
  const max = mode.split(':')[1] ?? process.env.BENCH_MAX_ENVIRONMENTS;
  return {
    ...(max ? { maxEnvironments: Number(max) } : {}),
    ...(PROFILE_DIR ? { cpuProfileDir: path.join(PROFILE_DIR, mode.replace(':', '-')) } : {}),
  };
}

/** BENCH_CALLERS=1 runs the closed loop at 1 caller only (no targets then). */
const CALLERS = (process.env.BENCH_CALLERS ?? '1,32,64').split(',').map(Number);
if (CALLERS.some((callers) => ![1, 32, 64].includes(callers))) throw new Error('BENCH_CALLERS: 1, 32 and/or 64');
const N = {
  ...DEFAULTS,
  runs: fromEnv('BENCH_RUNS', DEFAULTS.runs),
  pops: fromEnv('BENCH_POPS', DEFAULTS.pops),
  openSeconds: fromEnv('BENCH_OPEN_SECONDS', DEFAULTS.openSeconds),
  warmup: fromEnv('BENCH_WARMUP', DEFAULTS.warmup, 0),
};
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
    path.join(tmp, mode.replace(':', '-')),
    path.join(ROOT, '.local', 'bench', `stack-${mode.replace(':', '-')}.log`),
    runtimeOf(mode),
    environmentSettings(mode),
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
  /** Per caller count, per run. */
  readonly cpuMsPerPop: Record<string, CpuPerPop[]>;
  /** Median over the 64-caller runs of the stack process's CPU per pop (all its threads). */
  readonly stackCpuMsPerPopAt64: number;
  /** The stack process's resident memory after the 64-caller runs (the largest). */
  readonly rssMbAt64: number;
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

/**
 * CPU ms per delivered pop over one run: the stack's main thread (the gateway), its other threads (the environments,
 * libuv's pool, V8's helpers), dynalite, and this process (the callers and the 10 instances): what the 2 cores share.
 */
interface CpuPerPop {
  readonly main: number;
  readonly others: number;
  readonly dynalite: number;
  readonly client: number;
}

function cpuSnapshot(stack: StackChild): CpuPerPop {
  const { user, system } = process.cpuUsage();
  return { ...threadCpuMs(stack.pid), dynalite: processCpuMs(stack.dynalitePid), client: (user + system) / 1000 };
}

function cpuPerPop(before: CpuPerPop, after: CpuPerPop, pops: number): CpuPerPop {
  const per = (key: keyof CpuPerPop) => Number(((after[key] - before[key]) / Math.max(1, pops)).toFixed(2));
  return { main: per('main'), others: per('others'), dynalite: per('dynalite'), client: per('client') };
}

/** Every figure of one mode: warm-up at 64 callers (each environment's cold start), then the measured runs. */
async function measureMode(mode: Mode, tmp: string): Promise<ModeFigures> {
  const t0 = performance.now();
  const bench = await setUp(mode, tmp);
  const readyMs = performance.now() - t0;
  try {
    if (N.warmup > 0) await closedRun(bench, `${mode}-warmup`, 64, N.warmup);
    const closed: Record<string, PopRunResult[]> = { '1': [], '32': [], '64': [] };
    const cpu: Record<string, CpuPerPop[]> = { '1': [], '32': [], '64': [] };
    let rssBytes = 0;
    for (let r = 0; r < N.runs; r++) {
      for (const callers of CALLERS) {
        const profile = PROFILE_DIR && callers === 64 && r === 0;
        if (profile) await bench.stack.request({ type: 'profileStart' });
        const before = cpuSnapshot(bench.stack);
        const run = await closedRun(bench, `${mode}-c${callers}-r${r}`, callers, N.pops);
        if (profile) {
          const file = path.join(PROFILE_DIR, `${mode.replace(':', '-')}-gateway-thread.cpuprofile`);
          await bench.stack.request({ type: 'profileStop', file });
          progress(`${mode}: ${JSON.stringify(summariseProfile(file).attributedByOwner)}`);
        }
        const perPop = cpuPerPop(before, cpuSnapshot(bench.stack), run.delivery.n);
        if (callers === 64)
          rssBytes = Math.max(rssBytes, (await bench.stack.request<StackUsage>({ type: 'cpu' })).memory);
        progress(
          `${mode} ${callers} callers: delivery p50/p99 ${fmt(run.delivery.p50)}/${fmt(run.delivery.p99)} ms, ${run.deliveredPerSecond} pops/s, ${run.accepted}/${run.sent} accepted, lost ${run.lost}, doubled ${run.doubled}; CPU ms/pop main ${perPop.main} others ${perPop.others} dynalite ${perPop.dynalite} client ${perPop.client}`,
        );
        closed[String(callers)]!.push(run);
        cpu[String(callers)]!.push(perPop);
      }
    }
    progress(`${mode}: open loop ${N.openRate} pops/s for ${N.openSeconds} s`);
    const openLoopResult = await openLoop(bench, `${mode}-open`, N.openRate, N.openSeconds);
    progress(
      `${mode} open loop: p50/p99 ${fmt(openLoopResult.delivery.p50)}/${fmt(openLoopResult.delivery.p99)} ms, lost ${openLoopResult.lost}, doubled ${openLoopResult.doubled}`,
    );
    const at64 = cpu['64']!;
    return {
      mode,
      readyMs,
      closed,
      cpuMsPerPop: cpu,
      stackCpuMsPerPopAt64: at64.length > 0 ? medianOf(at64.map((c) => c.main + c.others)) : NaN,
      rssMbAt64: Math.round(rssBytes / 2 ** 20),
      openLoop: openLoopResult,
    };
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
    `${figures.mode} (stack ready in ${fmt(figures.readyMs, 0)} ms, stack process CPU at 64 callers ${fmt(figures.stackCpuMsPerPopAt64, 2)} ms/pop, RSS ${figures.rssMbAt64} MB):`,
  ];
  for (const callers of CALLERS.map(String)) {
    const runs = figures.closed[callers]!;
    const cpu = figures.cpuMsPerPop[callers]!;
    lines.push(
      `  ${callers.padStart(2)} callers: delivery p50 ${spread(runs.map((r) => r.delivery.p50))}, p99 ${spread(runs.map((r) => r.delivery.p99))} ms, ${spread(runs.map((r) => r.deliveredPerSecond))} pops/s; CPU ms/pop: gateway thread ${spread(cpu.map((c) => c.main))}, other threads ${spread(cpu.map((c) => c.others))}, dynalite ${spread(cpu.map((c) => c.dynalite))}, bench client ${spread(cpu.map((c) => c.client))}`,
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
  const figures: ModeFigures[] = [];
  for (const mode of MODES) figures.push(await measureMode(mode, tmp));
  const old = figures.find((f) => f.mode === 'inProcess');
  const judged = figures.filter((f) => f.mode !== 'inProcess');
  const result = {
    startedWith: loadAtStart,
    endedWith: os.loadavg(),
    quick: QUICK,
    counts: N,
    modes: figures.map(({ closed, ...rest }) => ({
      ...rest,
      closed: Object.fromEntries(
        Object.entries(closed).map(([k, runs]) => [k, runs.map(({ samples, ...run }) => run)]),
      ),
    })),
    // Each environments mode against the single loop of this run (environments:64 is the scheduler of before).
    targets:
      old && CALLERS.length === 3 ? Object.fromEntries(judged.map((now) => [now.mode, targets(old, now)])) : undefined,
  };
  writeFileSync(path.join(ROOT, '.local', 'bench', 'runtime-compare.json'), `${JSON.stringify(result, null, 2)}\n`);
  const lines = figures.flatMap(printMode);
  for (const [mode, modeTargets] of Object.entries(result.targets ?? {})) {
    lines.push(`targets (${mode} against inProcess, this run):`);
    for (const [name, target] of Object.entries(modeTargets)) lines.push(`  ${name}: ${JSON.stringify(target)}`);
  }
  lines.push(
    `load average ${result.startedWith.map((l) => l.toFixed(2)).join(' ')} -> ${result.endedWith.map((l) => l.toFixed(2)).join(' ')}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
  const failed = figures.some((f) =>
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
