/**
 * `npm run bench`: the benchmarks of the local stack. See bench/README.md for the method.
 *
 * Processes: this runner (the load generator and the WebSocket Scripting instances, one event loop and one clock);
 * the local stack (local/stackProcess.ts: gateway, handlers, dynalite); cognito-local (spawned by the stack);
 * bench/handlerCpu.ts for the in-process handler figure; fresh `node` processes for the cold start.
 * Writes bench/results.json, prints a summary; exits 1 if a pop was lost, doubled, misrouted or refused.
 * BENCH_QUICK=1: small counts (a smoke run of the bench itself, not figures).
 */
// Arguments first: `--help` must print and exit before anything starts (a full run takes minutes).
const HELP = `npm run bench [-- --help]

Benchmarks of the local stack (method and figures: bench/README.md). About 4 minutes on 2 cores; writes
bench/results.json and prints a summary. Exit codes: 0 done, 1 a pop was lost, doubled, misrouted or refused,
2 usage error.

Settings (environment):
  BENCH_QUICK=1               small counts, under a minute: checks the bench itself, the figures mean nothing
  BENCH_ACKS=0                the bench instances do not acknowledge pops (what the Ack path costs)
  BENCH_ONLY=pipeline         the event pipeline's sections alone (saturation, stream consumer, feed lag): a short run
  BENCH_STREAM_POPS=n         pops (three status changes each) the stream consumer handles, before and after
  BENCH_FEED_BURSTS=n         bursts at saturation whose feed lag is measured (BENCH_FEED_BURST_POPS=n pops each)
  POWERTOOLS_LOG_LEVEL=WARN   handler logs as \`npm start\` has them (default here: INFO, as deployed)`;
{
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    process.exit(0);
  }
  if (args.length > 0) {
    process.stderr.write(
      `error: unknown argument '${args[0]}' (the bench takes its settings from the environment)\n\n${HELP}\n`,
    );
    process.exit(2);
  }
}

import { execFileSync, spawn } from 'child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import { Agent } from 'http';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { claimsAsApiGatewayWritesThem } from '../local/gateway/cognitoAuthorizer';
import { LOCAL_CREDENTIALS } from '../local/provision';
import { ENV } from '../lambdas/shared/settings';
import { adminSignIn } from '../provisioning/adminSignIn';
import { createTenantUser } from '../provisioning/tenantUsers';
import { measureColdStart, type ColdStartFigures } from './coldStart';
import { costTable, measureCostProjection, type CostProjection } from './costProjection';
import { measureSdkOverhead, type SdkOverheadFigures } from './sdkOverhead';
import { measureHeldPopCost } from './heldPopCost';
import { measureEdgeCost, type EdgeCost } from './edgeCost';
import type { HandlerCpuInput, HandlerCpuResult } from './handlerCpu';
import { measureStreamConsumer } from './streamConsumer';
import { measureFeedLag, type FeedLagFigures } from './feedLag';
import { BenchInstance, connectAll, Receipts, type InstanceOptions } from './instances';
import { httpRequest, runPops, type PopRunResult } from './pops';
import { summariseProfile, type ProfileSummary } from './profile';
import { processCpuMs, startStackChild, type StackChild } from './stackChild';
import { distribution, fmt, spreadOf, type Distribution, type Spread } from './stats';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// The handlers log as deployed (no level set in lib/: Powertools' default INFO, EMF metric lines included), into a
// file. `npm start` defaults to WARN for a readable terminal; POWERTOOLS_LOG_LEVEL=WARN npm run bench measures that.
process.env.POWERTOOLS_LOG_LEVEL ??= 'INFO';

const ROOT = path.resolve(__dirname, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const N = {
  runs: QUICK ? 1 : 3,
  /** Per run; 3 runs make 2,100 pops per concurrency level. */
  pops: QUICK ? 200 : 700,
  coldStartRuns: QUICK ? 2 : 20,
  authCalls: QUICK ? 20 : 200,
  saturationPops: QUICK ? 300 : 600,
  saturationConcurrency: 64,
  /** The feed's lag after a burst at saturation (bench/feedLag.ts): bursts, and pops per burst. */
  feedBursts: Number(process.env.BENCH_FEED_BURSTS ?? (QUICK ? 2 : 3)),
  feedBurstPops: Number(process.env.BENCH_FEED_BURST_POPS ?? (QUICK ? 150 : 300)),
  /** Pops (three status changes each) the stream consumer handles, before and after (bench/streamConsumer.ts). */
  streamPops: Number(process.env.BENCH_STREAM_POPS ?? (QUICK ? 100 : 500)),
  profilePops: QUICK ? 200 : 600,
  handlerCpuWarmup: 100,
  handlerCpuInvocations: QUICK ? 200 : 600,
  handlerCpuProfiled: QUICK ? 100 : 200,
  otherTenants: QUICK ? 20 : 500,
  instancesPerOtherTenant: 10,
  benchInstances: 10,
  agentsPerInstance: 5,
};
/**
 * BENCH_ONLY=pipeline: the event pipeline's sections alone (throughput at saturation, 10 and 12) on the started stack,
 * skipping every other section: a short run of the event pipeline's bounds.
 */
const PIPELINE_ONLY = process.env.BENCH_ONLY === 'pipeline';
/** BENCH_ACKS=0: the bench instances do not acknowledge pops (to see what the Ack path costs the stack). */
const ACKS = process.env.BENCH_ACKS !== '0';
/**
 * Routing and init are judged as ratios of the same run: routing on the stack's CPU per pop with 5,010
 * connections over the baseline's (latency swung to x1.5 on a loaded moment with CPU per pop flat), init on each
 * bundle's import over an empty `node` start of the same round (bench/coldStart.ts).
 */
const TARGETS = { deliveryP99MsAt32: 25, routingCpuRatio: 1.2, bundleBytes: 300 * 1024, initRatioToEmptyProcess: 1 };

const progress = (line: string) =>
  process.stderr.write(`[bench ${process.uptime().toFixed(0).padStart(3)}s] ${line}\n`);
const password = (tag: string) => `Bench-${tag}-${Math.random().toString(36).slice(2, 10)}9a!`;

// --- CPU accounting of every process in the measurement -------------------------------------------------------

/** Busy milliseconds of all CPUs of the machine (/proc/stat), to see how much other processes took meanwhile. */
function machineBusyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return (fields.reduce((sum, v) => sum + v, 0) - idle) * 10;
}

interface CpuSnapshot {
  readonly runnerMs: number;
  readonly stackMs: number;
  readonly cognitoMs: number;
  readonly machineMs: number;
  readonly at: number;
}

async function cpuSnapshot(stack: StackChild): Promise<CpuSnapshot> {
  const { cpu } = await stack.request<{ cpu: NodeJS.CpuUsage }>({ type: 'cpu' });
  const runner = process.cpuUsage();
  return {
    runnerMs: (runner.user + runner.system) / 1000,
    stackMs: (cpu.user + cpu.system) / 1000,
    cognitoMs: processCpuMs(stack.cognitoPid),
    machineMs: machineBusyMs(),
    at: performance.now(),
  };
}

export interface CpuPerPop {
  /** CPU milliseconds per delivered pop, by process. */
  readonly runner: number;
  readonly stack: number;
  readonly cognito: number;
  /** CPU the rest of the machine used meanwhile, in cores (0..2): the noise of other work. */
  readonly otherProcessesCores: number;
  /** Cores the stack process used on average. */
  readonly stackCores: number;
}

function cpuPerPop(before: CpuSnapshot, after: CpuSnapshot, pops: number): CpuPerPop {
  const wall = after.at - before.at;
  const ours =
    after.runnerMs - before.runnerMs + (after.stackMs - before.stackMs) + (after.cognitoMs - before.cognitoMs);
  const r = (v: number, d = 3) => Number(v.toFixed(d));
  return {
    runner: r((after.runnerMs - before.runnerMs) / pops),
    stack: r((after.stackMs - before.stackMs) / pops),
    cognito: r((after.cognitoMs - before.cognitoMs) / pops),
    otherProcessesCores: r(Math.max(0, after.machineMs - before.machineMs - ours) / wall, 2),
    stackCores: r((after.stackMs - before.stackMs) / wall, 2),
  };
}

// --- Cognito call counts (bench/cognitoCounter.js inside the emulator) ----------------------------------------

async function cognitoCounts(endpoint: string): Promise<Record<string, number>> {
  const response = await fetch(`${endpoint}/__bench/cognito-calls`);
  return (await response.json()) as Record<string, number>;
}

function countsDelta(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {};
  for (const [key, value] of Object.entries(after))
    if (value - (before[key] ?? 0) > 0) delta[key] = value - (before[key] ?? 0);
  return delta;
}

const apiCalls = (counts: Record<string, number>) =>
  Object.entries(counts)
    .filter(([key]) => !key.startsWith('GET '))
    .reduce((sum, [, n]) => sum + n, 0);

// --- Pop runs ---------------------------------------------------------------------------------------------------

interface MeasuredRun extends PopRunResult {
  readonly cpuPerPop: CpuPerPop;
}

/** The runs without their raw samples, for results.json. */
const withoutSamples = ({ samples: _samples, ...run }: MeasuredRun) => run;

interface LatencySeries {
  readonly concurrency: number;
  readonly runs: Omit<MeasuredRun, 'samples'>[];
  /** All runs' pops together. */
  readonly pooled: { readonly delivery: Distribution; readonly accept: Distribution };
  /** Median over the runs of each percentile, with min and max (the spread). */
  readonly delivery: { p50: Spread; p95: Spread; p99: Spread };
  readonly accept: { p50: Spread; p95: Spread; p99: Spread };
  readonly acceptedPerSecond: Spread;
  readonly deliveredPerSecond: Spread;
}

function series(concurrency: number, runs: MeasuredRun[]): LatencySeries {
  const pick = (get: (run: MeasuredRun) => Distribution) => ({
    p50: spreadOf(runs.map((run) => get(run).p50)),
    p95: spreadOf(runs.map((run) => get(run).p95)),
    p99: spreadOf(runs.map((run) => get(run).p99)),
  });
  return {
    concurrency,
    runs: runs.map(withoutSamples),
    pooled: {
      delivery: distribution(runs.flatMap((run) => run.samples.delivery)),
      accept: distribution(runs.flatMap((run) => run.samples.accept)),
    },
    delivery: pick((run) => run.delivery),
    accept: pick((run) => run.accept),
    acceptedPerSecond: spreadOf(runs.map((run) => run.acceptedPerSecond)),
    deliveredPerSecond: spreadOf(runs.map((run) => run.deliveredPerSecond)),
  };
}

// --- Main ---------------------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const loadAtStart = os.loadavg();
  progress(
    `load average ${loadAtStart.map((l) => l.toFixed(2)).join(' ')} on ${os.cpus().length} cores${QUICK ? ' (BENCH_QUICK: small counts)' : ''}`,
  );
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-bench-'));
  const artefacts = path.join(ROOT, '.local', 'bench');
  mkdirSync(artefacts, { recursive: true });
  const failures: string[] = [];

  const pre = PIPELINE_ONLY ? undefined : await preStackSections(tmp, artefacts, failures);

  progress('starting the local stack (local/stackProcess.ts) on free ports');
  const stackLog = path.join(artefacts, 'stack.log');
  rmSync(stackLog, { force: true });
  const stack = await startStackChild(path.join(tmp, 'local'), stackLog);
  const e = stack.endpoints;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: e.CognitoEndpoint,
    region: e.Region,
    credentials: LOCAL_CREDENTIALS,
  });
  const instances: BenchInstance[] = [];
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 128 });
  const receipts = new Receipts();

  try {
    // Users of the bench tenant.
    const api = { username: 'bench-api', password: password('api') };
    const inst = { username: 'bench-instance', password: password('inst') };
    await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'api', ...api });
    await createTenantUser(cognito, e.UserPoolId, { tenant: 'bench', role: 'instance', ...inst });
    const basic = (user: { username: string; password: string }) =>
      `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;

    // 5. Token path.
    progress(`token path: ${N.authCalls} x GET /auth`);
    await httpRequest(httpAgent, 'GET', `${e.RestApiUrl}/auth`, { Authorization: basic(api) }); // handler cold start
    const authBefore = await cognitoCounts(e.CognitoEndpoint);
    const authMs: number[] = [];
    let authFailures = 0;
    let idToken = '';
    for (let i = 0; i < N.authCalls; i++) {
      const t0 = performance.now();
      const answer = await httpRequest(httpAgent, 'GET', `${e.RestApiUrl}/auth`, { Authorization: basic(api) });
      authMs.push(performance.now() - t0);
      if (answer.status !== 200) authFailures++;
      else idToken = (JSON.parse(answer.text) as { Result: { IdToken: string } }).Result.IdToken;
    }
    const authCounts = countsDelta(await cognitoCounts(e.CognitoEndpoint), authBefore);
    if (authFailures > 0) failures.push(`${authFailures} GET /auth calls failed`);
    const instanceAuth = await httpRequest(httpAgent, 'GET', `${e.RestApiUrl}/auth`, { Authorization: basic(inst) });
    const instanceToken = (JSON.parse(instanceAuth.text) as { Result: { IdToken: string } }).Result.IdToken;

    // The bench tenant's instances: 10 connections, 5 distinct agents each.
    const benchAgents: string[] = [];
    const benchOptions: InstanceOptions[] = Array.from({ length: N.benchInstances }, (_, k) => {
      const agents = Array.from({ length: N.agentsPerInstance }, (_, j) => `agent-${k}-${j}`);
      benchAgents.push(...agents);
      return {
        webSocketUrl: e.WebSocketUrl,
        idToken: instanceToken,
        instanceName: `bench-i${k}`,
        agents,
        receipts,
        role: 'bench',
        ack: ACKS,
      };
    });
    instances.push(...(await connectAll(benchOptions, 10)));

    const runOnce = async (label: string, concurrency: number, total: number): Promise<MeasuredRun> => {
      const before = await cpuSnapshot(stack);
      const run = await runPops({
        label,
        restApiUrl: e.RestApiUrl,
        idToken,
        agent: httpAgent,
        concurrency,
        total,
        agents: benchAgents,
        receipts,
      });
      const after = await cpuSnapshot(stack);
      if (run.lost || run.doubled || run.mismatched || run.accepted !== run.sent) {
        failures.push(
          `${label}: sent ${run.sent}, accepted ${run.accepted} ${JSON.stringify(run.statusCounts)}, lost ${run.lost}, doubled ${run.doubled}, PopId mismatched ${run.mismatched}`,
        );
      }
      const measured = { ...run, cpuPerPop: cpuPerPop(before, after, Math.max(1, run.delivery.n)) };
      progress(
        `${label}: ${run.accepted}/${run.sent} accepted, delivery p50/p95/p99 ${run.delivery.p50}/${run.delivery.p95}/${run.delivery.p99} ms, ` +
          `accept p50 ${run.accept.p50} ms, ${run.deliveredPerSecond} pops/s, other load ${measured.cpuPerPop.otherProcessesCores} cores`,
      );
      return measured;
    };

    // Users and tokens of the 500 other tenants of figure 3, early: they do not change routing, and this keeps the
    // baseline runs next to the scaled ones.
    progress(`routing scale: users and tokens of ${N.otherTenants} other tenants`);
    const setupStarted = performance.now();
    const otherTokens = PIPELINE_ONLY
      ? []
      : await provisionOtherTenants(cognito, e.UserPoolId, e.UserPoolClientId, N.otherTenants);
    const provisionSeconds = (performance.now() - setupStarted) / 1000;

    // Warm-up (handler cold starts, JIT), not reported.
    const popPhaseCognitoBefore = await cognitoCounts(e.CognitoEndpoint);
    await runOnce('warmup', 4, 100);

    // 2. Throughput at saturation.
    const saturationRuns: MeasuredRun[] = [];
    for (let r = 0; r < N.runs; r++) {
      saturationRuns.push(
        await runOnce(`sat-c${N.saturationConcurrency}-r${r + 1}`, N.saturationConcurrency, N.saturationPops),
      );
    }
    const saturation = series(N.saturationConcurrency, saturationRuns);
    // 6b. The stream consumer against the same dynalite, compared with this run's pop saturation (bench/streamConsumer.ts).
    progress('stream consumer: records per second before and after, against the pop saturation');
    const streamConsumer = await measureStreamConsumer(stack.endpoints, {
      tmp,
      logFile: stackLog,
      pops: N.streamPops,
      popSaturationPerSecond: saturation.acceptedPerSecond.median,
    });
    if (!QUICK && !streamConsumer.keepsUp)
      failures.push(
        `stream consumer: ${streamConsumer.recordsPerSecondOverPopsPerSecond} records/s per pop/s, under 3`,
      );
    if (streamConsumer.projectedShardPopsPerSecond < 150)
      failures.push(
        `stream consumer: ${streamConsumer.projectedShardPopsPerSecond} pops/s per shard projected, under 150`,
      );
    // 6c. The feed after a burst at saturation: the burst's last status change readable from GET /events (bench/feedLag.ts).
    progress(
      `feed lag: ${N.feedBursts} bursts of ${N.feedBurstPops} pops at ${N.saturationConcurrency} callers, GET /events followed`,
    );
    const feedLag = await measureFeedLag({
      restApiUrl: e.RestApiUrl,
      idToken,
      agent: httpAgent,
      bursts: N.feedBursts,
      eventsPerPop: ACKS ? 2 : 1,
      runBurst: (label) => runOnce(label, N.saturationConcurrency, N.feedBurstPops),
      log: progress,
    });
    if (!QUICK && !feedLag.met)
      failures.push(
        `feed lag: last event readable after ${feedLag.lastEventLagMs.max} ms (target ${feedLag.targetMs})`,
      );
    if (PIPELINE_ONLY)
      return finishPipelineOnly({ startedAt, loadAtStart, saturation, streamConsumer, feedLag, failures });

    // Profile of the stack process under the 32-caller load (a separate, unreported run: the profiler costs).
    progress('profiling the stack process during a 32-caller run');
    const profileFile = path.join(artefacts, 'stack-32-callers.cpuprofile');
    await stack.request({ type: 'profileStart' });
    const profiledRun = await runOnce('profiled-c32', 32, N.profilePops);
    await stack.request({ type: 'profileStop', file: profileFile });
    const profile: ProfileSummary = summariseProfile(profileFile);

    // 6. Handler CPU per pop, in a process that does nothing else.
    progress(`handler CPU: ${N.handlerCpuInvocations} pop handler invocations in a process of their own`);
    const handlerCpu = await measureHandlerCpu(stack, idToken, benchAgents, tmp, stackLog);
    const cpuPops = [...receipts.byNonce.keys()].filter((nonce) => nonce.startsWith('cpu-')).length;
    const cpuExpected = N.handlerCpuWarmup + N.handlerCpuInvocations + N.handlerCpuProfiled;
    if (cpuPops !== cpuExpected) {
      failures.push(`handler CPU run: ${cpuPops} of ${cpuExpected} pops arrived`);
    }

    // 1. Pop latency at 1 and 32 callers; also the 10-connection baseline of figure 3, so measured just before the
    // 5,000 other connections are opened.
    const latency: LatencySeries[] = [];
    for (const concurrency of [1, 32]) {
      const runs: MeasuredRun[] = [];
      for (let r = 0; r < N.runs; r++) runs.push(await runOnce(`c${concurrency}-r${r + 1}`, concurrency, N.pops));
      latency.push(series(concurrency, runs));
    }

    const { memory: stackRssBefore } = await stack.request<{ memory: number }>({ type: 'cpu' });
    // 3. Routing scale: 5,000 more connections over 500 other tenants, the same agent names on their Desktops.
    progress(`routing scale: connecting ${N.otherTenants} other tenants x ${N.instancesPerOtherTenant} instances`);
    const otherOptions: InstanceOptions[] = otherTokens.flatMap((token, t) =>
      Array.from({ length: N.instancesPerOtherTenant }, (_, k) => ({
        webSocketUrl: e.WebSocketUrl,
        idToken: token,
        instanceName: `other${t}-i${k}`,
        agents: Array.from({ length: N.agentsPerInstance }, (_, j) => `agent-${k}-${j}`),
        receipts,
        role: 'other' as const,
        ack: false,
      })),
    );
    const connectStarted = performance.now();
    instances.push(...(await connectAll(otherOptions, 32)));
    const connectSeconds = (performance.now() - connectStarted) / 1000;
    progress(
      `${otherOptions.length} instances connected in ${connectSeconds.toFixed(1)} s (users and tokens ${provisionSeconds.toFixed(1)} s)`,
    );
    const scaled: LatencySeries[] = [];
    for (const concurrency of [1, 32]) {
      const runs: MeasuredRun[] = [];
      for (let r = 0; r < N.runs; r++)
        runs.push(await runOnce(`scaled-c${concurrency}-r${r + 1}`, concurrency, N.pops));
      scaled.push(series(concurrency, runs));
    }
    const scaledConnections = N.benchInstances + N.otherTenants * N.instancesPerOtherTenant;
    progress(
      `profiling the stack process during a 32-caller run with ${scaledConnections.toLocaleString('en-US')} connections`,
    );
    const scaledProfileFile = path.join(artefacts, `stack-32-callers-${scaledConnections}-connections.cpuprofile`);
    await stack.request({ type: 'profileStart' });
    const scaledProfiledRun = await runOnce('profiled-scaled-c32', 32, N.profilePops);
    await stack.request({ type: 'profileStop', file: scaledProfileFile });
    const scaledProfile: ProfileSummary = summariseProfile(scaledProfileFile);
    // Every pop run and the 5,000 connections: all on cached keys, no Cognito API call expected.
    const popPhaseCognito = countsDelta(await cognitoCounts(e.CognitoEndpoint), popPhaseCognitoBefore);
    if (receipts.misrouted > 0) failures.push(`${receipts.misrouted} pops reached an instance of another tenant`);
    if (receipts.serverErrors.length > 0) {
      failures.push(
        `${receipts.serverErrors.length} error messages from the server, first: ${receipts.serverErrors[0]}`,
      );
    }
    const ratio = (field: 'p50' | 'p95') =>
      scaled.map((s, i) => ({
        concurrency: s.concurrency,
        baseline: latency[i]!.delivery[field].median,
        scaled: s.delivery[field].median,
        ratio: Number((s.delivery[field].median / latency[i]!.delivery[field].median).toFixed(3)),
      }));
    // The spread: each scaled run's CPU per pop over the baseline runs' median.
    const stackCpu = scaled.map((sc, i) => {
      const med = (runs: Omit<MeasuredRun, 'samples'>[]) => spreadOf(runs.map((run) => run.cpuPerPop.stack)).median;
      const baseline = med(latency[i]!.runs);
      const ratioSpread = spreadOf(sc.runs.map((run) => run.cpuPerPop.stack / baseline));
      return {
        concurrency: sc.concurrency,
        baseline,
        scaled: med(sc.runs),
        ratio: Number((med(sc.runs) / baseline).toFixed(3)),
        ratioSpread,
      };
    });
    const { memory: stackRss } = await stack.request<{ memory: number }>({ type: 'cpu' });

    const at32 = latency.find((s) => s.concurrency === 32)!;
    const allRuns = [...latency, saturation, ...scaled].flatMap((s) => s.runs);
    const { coldStart, sdkOverhead, heldPops, edgeCost, costProjection } = pre!;
    const results = {
      issue: 8,
      startedAt,
      finishedAt: new Date().toISOString(),
      durationSeconds: Math.round(process.uptime()),
      quick: QUICK,
      /** HEAD and whether the working tree had changes (the figures are of the tree as it was). */
      git: gitState(),
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        loadAverageAtStart: loadAtStart.map((l) => Number(l.toFixed(2))),
        loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
        otherProcessesCoresDuringPopRuns: spreadOf(allRuns.map((run) => run.cpuPerPop.otherProcessesCores)),
      },
      method: {
        processes:
          'runner = load generator + the WebSocket instances (one event loop, one clock); stack = local/stackProcess.ts ' +
          '(local gateway, handlers, dynalite in process); cognito-local spawned by the stack',
        pops: 'closed loop; distinct Reference per pop (each takes its own record claim); ScriptData.BenchNonce matched on arrival with the PopId of the 202',
        acks: ACKS
          ? 'each bench instance answers every pop with Ack Delivered (as the reference instance does): part of the load'
          : 'BENCH_ACKS=0: pops not acknowledged',
        logging: `gateway request log and handler JSON logs (POWERTOOLS_LOG_LEVEL=${process.env.POWERTOOLS_LOG_LEVEL}) written to .local/bench/stack.log`,
        counts: N,
      },
      popLatency: latency,
      throughput: {
        saturation,
        note: 'closed loop: accepted/s = pops answered 202 per second; delivered/s = pops arrived at an instance per second',
      },
      routingScale: {
        baselineConnections: N.benchInstances,
        scaledConnections: N.benchInstances + otherOptions.length,
        otherTenants: N.otherTenants,
        presenceItemsAdded: otherOptions.length * N.agentsPerInstance,
        setupSeconds: {
          usersAndTokens: Number(provisionSeconds.toFixed(1)),
          connectAndDesktop: Number(connectSeconds.toFixed(1)),
        },
        /** $connect (authorizer + wsConnect) + Desktop + Ping per connection, 32 at a time. */
        connectionsPerSecond: Number((otherOptions.length / connectSeconds).toFixed(1)),
        scaled,
        ratioP50: ratio('p50'),
        ratioP95: ratio('p95'),
        /** Stack process CPU ms per pop (median of runs): less sensitive to other load on the machine than latency. */
        stackCpuMsPerPop: stackCpu,
        stackRssMb: { before: Math.round(stackRssBefore / 1024 / 1024), after: Math.round(stackRss / 1024 / 1024) },
      },
      coldStart,
      sdkOverhead,
      heldPops,
      edgeCost,
      streamConsumer,
      feedLag,
      costProjection,
      tokenPath: {
        calls: N.authCalls,
        latencyMs: distribution(authMs),
        cognitoCallsPerToken: Object.fromEntries(Object.entries(authCounts).map(([k, v]) => [k, v / N.authCalls])),
        cognitoApiCallsPerToken: apiCalls(authCounts) / N.authCalls,
        cognitoCallsDuringAllPopRuns: popPhaseCognito,
        cognitoApiCallsDuringAllPopRuns: apiCalls(popPhaseCognito),
        how: 'counted inside the cognito-local process (bench/cognitoCounter.js preloaded there): every HTTP request reaching the emulator, by x-amz-target',
      },
      handlerCpu,
      stackProfile: {
        run: { concurrency: 32, pops: profiledRun.sent, delivery: profiledRun.delivery },
        file: path.relative(ROOT, profileFile),
        ...profile,
      },
      /** The same profile with 5,010 connections, and the sampled on-CPU ms per pop by owner, side by side. */
      stackProfileScaled: {
        run: { concurrency: 32, pops: scaledProfiledRun.sent, delivery: scaledProfiledRun.delivery },
        file: path.relative(ROOT, scaledProfileFile),
        ...scaledProfile,
        cpuMsPerPopByOwner: cpuMsPerPopByOwner(
          profile,
          profiledRun.cpuPerPop.stack,
          scaledProfile,
          scaledProfiledRun.cpuPerPop.stack,
        ),
      },
      targets: {
        deliveryP99At32Ms: {
          target: TARGETS.deliveryP99MsAt32,
          value: at32.delivery.p99.median,
          met: at32.delivery.p99.median < TARGETS.deliveryP99MsAt32,
        },
        routingCpuRatio: {
          target: TARGETS.routingCpuRatio,
          byConcurrency: stackCpu.map((c) => ({ concurrency: c.concurrency, ratio: c.ratio, spread: c.ratioSpread })),
          met: stackCpu.every((c) => c.ratio < TARGETS.routingCpuRatio),
        },
        bundleBytes: {
          target: TARGETS.bundleBytes,
          over: coldStart.bundles.filter((b) => !b.underSizeTarget).map((b) => b.handler),
        },
        initRatioToEmptyProcess: {
          target: TARGETS.initRatioToEmptyProcess,
          worst: coldStart.bundles.reduce((worst, b) =>
            b.initRatioToEmptyProcess.median > worst.initRatioToEmptyProcess.median ? b : worst,
          ),
          over: coldStart.bundles.filter((b) => !b.underInitTarget).map((b) => b.handler),
        },
        zeroCognitoCallsPerPop: apiCalls(popPhaseCognito) === 0,
        popHandlerOverBareCalls: {
          target: costProjection.popOverBareCalls.target,
          ratio: costProjection.popOverBareCalls.ratio,
          met: costProjection.popOverBareCalls.ratio.median <= costProjection.popOverBareCalls.target,
        },
      },
      failures,
    };
    writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(summary(results));
    return failures.length > 0 ? 1 : 0;
  } finally {
    progress('stopping');
    await stack.stop();
    for (const instance of instances) instance.close();
    httpAgent.destroy();
    cognito.destroy();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The sections that run before the local stack starts, each with emulators of its own (4, 7, 9, 11, 8). */
async function preStackSections(tmp: string, artefacts: string, failures: string[]) {
  // 4. Cold start first, while nothing else of ours runs.
  progress('cold start: bundling each handler with esbuild and importing it in fresh Node processes');
  const coldStart: ColdStartFigures = await measureColdStart(path.join(tmp, 'bundles'), N.coldStartRuns, progress);
  // 7. The caller SDK's CPU per pop over a bare fetch (bench/sdkOverhead.ts), also before the stack starts.
  progress('SDK overhead: RemotePopClient.pop versus a bare fetch, against an in-process server');
  const sdkOverhead: SdkOverheadFigures = await measureSdkOverhead(QUICK ? 500 : 2000, QUICK ? 3 : 7);
  if (!sdkOverhead.met)
    failures.push(`SDK overhead ${sdkOverhead.overheadCpuMsPerPop} ms per pop is not under ${sdkOverhead.targetMs} ms`);
  // 9. Held pops: a present agent's pop before and after them, in one run (bench/heldPopCost.ts), before the stack starts.
  progress("held pops: a present agent's pop before and after, a hold, a Desktop's look; dynalite in its own process");
  const heldPops = await measureHeldPopCost(QUICK ? 60 : 300);
  if (heldPops.after.roundTrips.max !== heldPops.before.roundTrips.max)
    failures.push(
      `held pops changed a present agent's pop: ${heldPops.after.roundTrips.max} round trips, not ${heldPops.before.roundTrips.max}`,
    );
  // 11. Limits per tenant: POST /pop with the Lambda authorizer and a usage plan against the Cognito authorizer without,
  // two stacks side by side in alternating rounds (bench/edgeCost.ts), before the main stack starts.
  progress('limits per tenant: POST /pop with the Lambda authorizer and a usage plan, against the Cognito authorizer');
  const edgeCost: EdgeCost = await measureEdgeCost(
    { pops: QUICK ? 30 : 200, rounds: QUICK ? 2 : 4, concurrency: 4 },
    progress,
  );
  // 8. What a pop costs in AWS: the functions' CPU, calls and init projected per memory size (bench/costProjection.ts),
  // with its own emulators, before the stack starts; init from figure 4 of this run.
  progress('AWS cost projection: CPU and calls per function and of the bare calls, dynalite in its own process');
  const costProjection: CostProjection = await measureCostProjection({
    rounds: QUICK ? 2 : 5,
    invocationsPerPhase: QUICK ? 15 : 60,
    countedInvocations: QUICK ? 5 : 20,
    coldStart,
    logFile: path.join(artefacts, 'cost-child.log'),
    log: progress,
  });
  failures.push(...costProjection.problems);
  return { coldStart, sdkOverhead, heldPops, edgeCost, costProjection };
}

function gitState(): { head: string; dirty: boolean } | undefined {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim() !== '';
    return { head, dirty };
  } catch {
    return undefined;
  }
}

async function provisionOtherTenants(
  cognito: CognitoIdentityProviderClient,
  userPoolId: string,
  clientId: string,
  count: number,
): Promise<string[]> {
  const tokens: string[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const t = next++;
        const user = { username: `other${t}-instance`, password: password(`o${t}`) };
        await createTenantUser(cognito, userPoolId, { tenant: `other-${t}`, role: 'instance', ...user });
        const auth = await adminSignIn(cognito, { userPoolId, clientId }, user.username, user.password);
        tokens[t] = auth.IdToken!;
      }
    }),
  );
  return tokens;
}

async function measureHandlerCpu(
  stack: StackChild,
  idToken: string,
  agents: string[],
  tmp: string,
  logFile: string,
): Promise<HandlerCpuResult & { how: string; profile: object }> {
  const e = stack.endpoints;
  const payload = JSON.parse(Buffer.from(idToken.split('.')[1]!, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  const input: HandlerCpuInput = {
    claims: claimsAsApiGatewayWritesThem(payload),
    agents,
    warmup: N.handlerCpuWarmup,
    invocations: N.handlerCpuInvocations,
    resultFile: path.join(tmp, 'handler-cpu.json'),
    noncePrefix: 'cpu',
    profiledInvocations: N.handlerCpuProfiled,
    profileFile: path.join(ROOT, '.local', 'bench', 'pop-handler.cpuprofile'),
  };
  const { openSync, closeSync } = await import('fs');
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', path.join(__dirname, 'handlerCpu.ts')], {
    cwd: ROOT,
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      BENCH_HANDLER_CPU: JSON.stringify(input),
      [ENV.region]: e.Region,
      AWS_DEFAULT_REGION: e.Region,
      [ENV.userPoolId]: e.UserPoolId,
      [ENV.userPoolClientId]: e.UserPoolClientId,
      [ENV.tableName]: e.TableName,
      [ENV.cognitoEndpoint]: e.CognitoEndpoint,
      [ENV.dynamoDbEndpoint]: e.DynamoDbEndpoint,
      [ENV.connectionsEndpoint]: e.WebSocketUrl.replace(/^ws:/, 'http:'),
      [ENV.claimWindowSeconds]: '60',
      [ENV.popRetentionDays]: '30',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    },
  });
  closeSync(out);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/handlerCpu.ts failed (${code}); see ${logFile}`);
  // Let the last pushes and their acks land before the next phase.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { selfByOwner, attributedByOwner, topFrames } = summariseProfile(input.profileFile);
  return {
    ...(JSON.parse(readFileSync(input.resultFile, 'utf8')) as HandlerCpuResult),
    how: 'process.cpuUsage() (user+system) around sequential invocations of lambdas/handlers/pop.ts in a process that does nothing else; I/O waits are not CPU time',
    profile: {
      invocations: N.handlerCpuProfiled,
      file: path.relative(ROOT, input.profileFile),
      selfByOwner,
      attributedByOwner,
      topFrames: topFrames.slice(0, 10),
    },
  };
}

/**
 * The stack's CPU per pop (process.cpuUsage over the profiled run) split by the profile's shares (attributed view),
 * 10 vs 5,010 connections. V8 samples wall time while the thread is not idle, so only the shares are taken from it.
 */
function cpuMsPerPopByOwner(
  base: ProfileSummary,
  baseCpuMsPerPop: number,
  scaled: ProfileSummary,
  scaledCpuMsPerPop: number,
) {
  const owners = new Set([...Object.keys(base.attributedByOwner), ...Object.keys(scaled.attributedByOwner)]);
  const ms = (p: ProfileSummary, cpu: number, owner: string) =>
    Number((((p.attributedByOwner[owner] ?? 0) / 100) * cpu).toFixed(3));
  return [...owners]
    .map((owner) => ({
      owner,
      baseline: ms(base, baseCpuMsPerPop, owner),
      scaled: ms(scaled, scaledCpuMsPerPop, owner),
    }))
    .sort((a, b) => b.scaled - a.scaled);
}

// --- Summary ------------------------------------------------------------------------------------------------------

/** Sections 10 and 12 of the summary: the event pipeline's bounds (docs/capacity.md). */
function pipelineLines(r: any): string[] {
  const lines: string[] = [];
  const sc = r.streamConsumer;
  lines.push(
    '',
    `10. Stream consumer (bench/streamConsumer.ts): ${fmt(sc.before.recordsPerSecond)} records/s before, ${fmt(sc.after.recordsPerSecond)} after; ` +
      `sequential round trips per record ${sc.before.sequentialRoundTripsPerRecord} before, ${sc.after.sequentialRoundTripsPerRecord} after ` +
      `(calls ${sc.before.callsPerRecord} -> ${sc.after.callsPerRecord}); x${sc.recordsPerSecondOverPopsPerSecond} the pop saturation ` +
      `(${fmt(sc.popSaturationPerSecond)} pops/s; must be >= 3)`,
    `    projected in AWS per stream shard at ${sc.memoryMb} MB: ${fmt(sc.projectedShardPopsPerSecond, 0)} pops/s (must be >= 150; docs/capacity.md)`,
  );
  const fl = r.feedLag;
  lines.push(
    '',
    `12. Feed lag (bench/feedLag.ts): a burst's last status change readable from GET /events after ${fmt(fl.lastEventLagMs.median, 0)} ms ` +
      `(${fmt(fl.lastEventLagMs.min, 0)}-${fmt(fl.lastEventLagMs.max, 0)} over ${fl.bursts.length} bursts; must be <= ${fl.targetMs}: ${fl.met ? 'met' : 'NOT met'}); ` +
      `GET /events p50 ${fmt(fl.readMs.p50)} ms`,
  );
  return lines;
}

/** BENCH_ONLY=pipeline: writes bench/results.json with the pipeline's figures and prints them. */
function finishPipelineOnly(r: {
  startedAt: string;
  loadAtStart: number[];
  saturation: LatencySeries;
  streamConsumer: unknown;
  feedLag: FeedLagFigures;
  failures: string[];
}): number {
  const results = {
    only: 'pipeline',
    startedAt: r.startedAt,
    finishedAt: new Date().toISOString(),
    quick: QUICK,
    git: gitState(),
    machine: {
      cpus: os.cpus().length,
      loadAverageAtStart: r.loadAtStart.map((l) => Number(l.toFixed(2))),
      loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
    },
    throughput: { saturation: r.saturation },
    streamConsumer: r.streamConsumer,
    feedLag: r.feedLag,
    failures: r.failures,
  };
  writeFileSync(path.join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const s = r.saturation;
  const lines = [
    `Pipeline only (BENCH_ONLY=pipeline), load ${results.machine.loadAverageAtStart.join(' ')} -> ${results.machine.loadAverageAtEnd.join(' ')}`,
    `2. Saturation, ${s.concurrency} callers: accepted ${fmt(s.acceptedPerSecond.median)} pops/s (${fmt(s.acceptedPerSecond.min)}-${fmt(s.acceptedPerSecond.max)})`,
    ...pipelineLines(results),
    '',
    r.failures.length === 0
      ? 'Every pop arrived exactly once.'
      : `FAILED:\n${r.failures.map((f) => `   ${f}`).join('\n')}`,
    'Results: bench/results.json',
    '',
  ];
  process.stdout.write(lines.join('\n'));
  return r.failures.length > 0 ? 1 : 0;
}

function summary(r: any): string {
  const lines: string[] = [];
  const spread = (s: Spread) => `${fmt(s.median)} (${fmt(s.min)}-${fmt(s.max)})`;
  lines.push(
    '',
    `Remote Pop benchmark (${r.quick ? 'QUICK smoke run, not figures' : `${r.method.counts.runs} runs per latency figure`}), ${r.machine.cpus} cores, Node ${r.machine.node}`,
  );
  lines.push(
    `load average at start ${r.machine.loadAverageAtStart.join(' ')}, at end ${r.machine.loadAverageAtEnd.join(' ')}; other processes used ${spread(r.machine.otherProcessesCoresDuringPopRuns)} cores during the pop runs`,
  );
  lines.push(
    '',
    `1. Pop latency, ms: median of ${r.method.counts.runs} runs (min-max); pooled = all runs' pops together`,
  );
  lines.push('   callers  delivery p50        p95                 p99                 accept p50          accept p99');
  for (const s of r.popLatency as LatencySeries[]) {
    lines.push(
      `   ${String(s.concurrency).padStart(7)}  ${spread(s.delivery.p50).padEnd(19)} ${spread(s.delivery.p95).padEnd(19)} ${spread(s.delivery.p99).padEnd(19)} ${spread(s.accept.p50).padEnd(19)} ${spread(s.accept.p99)}`,
    );
    lines.push(
      `   ${''.padStart(7)}  pooled over ${s.pooled.delivery.n} pops: delivery ${s.pooled.delivery.p50} / ${s.pooled.delivery.p95} / ${s.pooled.delivery.p99}, accept p50 ${s.pooled.accept.p50}, p99 ${s.pooled.accept.p99}`,
    );
  }
  lines.push('', '2. Throughput (pops/s)');
  for (const s of [...(r.popLatency as LatencySeries[]), r.throughput.saturation as LatencySeries]) {
    lines.push(
      `   ${String(s.concurrency).padStart(3)} callers: accepted ${spread(s.acceptedPerSecond)}, delivered ${spread(s.deliveredPerSecond)}; stack process ${fmt(s.runs[0]!.cpuPerPop.stackCores, 2)} cores, CPU ms/pop runner ${fmt(s.runs[0]!.cpuPerPop.runner, 2)} stack ${fmt(s.runs[0]!.cpuPerPop.stack, 2)}`,
    );
  }
  lines.push(
    '',
    `3. Routing: ${r.routingScale.baselineConnections} vs ${r.routingScale.scaledConnections} connections (${r.routingScale.otherTenants} other tenants, ${r.routingScale.presenceItemsAdded} presence items added; connected at ${r.routingScale.connectionsPerSecond}/s)`,
  );
  for (const [i, p50] of r.routingScale.ratioP50.entries()) {
    const p95 = r.routingScale.ratioP95[i];
    const cpu = r.routingScale.stackCpuMsPerPop[i];
    lines.push(
      `   ${String(p50.concurrency).padStart(3)} callers: p50 ${fmt(p50.baseline)} -> ${fmt(p50.scaled)} ms (x${p50.ratio}), p95 ${fmt(p95.baseline)} -> ${fmt(p95.scaled)} ms (x${p95.ratio}); stack CPU/pop ${fmt(cpu.baseline, 2)} -> ${fmt(cpu.scaled, 2)} ms (x${cpu.ratio})`,
    );
  }
  lines.push(`   stack process RSS ${r.routingScale.stackRssMb.before} MB -> ${r.routingScale.stackRssMb.after} MB`);
  const { baselineConnections, scaledConnections } = r.routingScale;
  lines.push(
    `   stack CPU ms per pop by owner (cpuUsage x profile shares, 32 callers), ${baselineConnections} -> ${scaledConnections.toLocaleString('en-US')} connections:`,
  );
  for (const o of r.stackProfileScaled.cpuMsPerPopByOwner.slice(0, 7))
    lines.push(`     ${fmt(o.baseline, 2).padStart(6)} -> ${fmt(o.scaled, 2).padEnd(6)} ${o.owner}`);
  lines.push(
    '',
    `4. Cold start (median of ${r.coldStart.runs}): empty node process ${fmt(r.coldStart.emptyProcessStartMsMedian)} ms, empty module import ${fmt(r.coldStart.emptyModuleImportMsMedian, 2)} ms`,
  );
  for (const b of r.coldStart.bundles) {
    const r0 = b.initRatioToEmptyProcess;
    lines.push(
      `   ${b.handler.padEnd(13)} ${(b.bytes / 1024).toFixed(0).padStart(4)} KB${b.underSizeTarget ? ' ' : '!'}  init ${fmt(b.initMsMedian).padStart(5)} ms, x${fmt(r0.median, 2)} (${fmt(r0.min, 2)}-${fmt(r0.max, 2)}) of an empty node start${b.underInitTarget ? ' ' : '!'}`,
    );
  }
  lines.push(
    '',
    `5. Token path: GET /auth p50 ${fmt(r.tokenPath.latencyMs.p50)} ms, p95 ${fmt(r.tokenPath.latencyMs.p95)} ms; Cognito API calls per token ${r.tokenPath.cognitoApiCallsPerToken} ${JSON.stringify(r.tokenPath.cognitoCallsPerToken)}`,
  );
  lines.push(
    `   Cognito API calls during all pop runs: ${r.tokenPath.cognitoApiCallsDuringAllPopRuns} ${JSON.stringify(r.tokenPath.cognitoCallsDuringAllPopRuns)}`,
  );
  lines.push(
    '',
    `6. Pop handler CPU: ${fmt(r.handlerCpu.cpuMsPerPop, 3)} ms per pop (user ${fmt(r.handlerCpu.userMsPerPop, 3)}, system ${fmt(r.handlerCpu.systemMsPerPop, 3)}); wall ${fmt(r.handlerCpu.wallMsPerPop, 2)} ms`,
  );
  lines.push(
    `   inside the handler (profile): ${Object.entries(r.handlerCpu.profile.attributedByOwner)
      .slice(0, 5)
      .map(([k, v]) => `${k} ${v}%`)
      .join('; ')}`,
  );
  lines.push(
    `   Stack process at 32 callers (profile, ${r.stackProfile.busyMs} ms on CPU of ${r.stackProfile.sampledMs} ms):`,
  );
  for (const [k, v] of Object.entries(r.stackProfile.byRole)) lines.push(`     ${String(v).padStart(5)}%  ${k}`);
  lines.push(
    `     by owner: ${Object.entries(r.stackProfile.attributedByOwner)
      .slice(0, 6)
      .map(([k, v]) => `${k} ${v}%`)
      .join('; ')}`,
  );
  lines.push(
    '',
    `7. SDK CPU per pop over a bare fetch: ${fmt(r.sdkOverhead.overheadCpuMsPerPop, 3)} ms (SDK ${fmt(r.sdkOverhead.sdkCpuMsPerPop, 3)}, bare ${fmt(r.sdkOverhead.bareCpuMsPerPop, 3)}; target < ${r.sdkOverhead.targetMs} ms ${r.sdkOverhead.met ? 'met' : 'NOT met'})`,
  );
  lines.push(
    '',
    `8. What a pop costs in AWS, projected (bench/costProjection.ts; ${r.costProjection.rounds} rounds of ${r.costProjection.invocationsPerPhase} invocations per function)`,
    costTable(r.costProjection as CostProjection),
  );
  lines.push(
    '',
    `9. Held pops, a present agent's pop (bench/heldPopCost.ts): CPU p50 ${fmt(r.heldPops.before.cpuMs.p50, 2)} ms before, ${fmt(r.heldPops.after.cpuMs.p50, 2)} after (mean ratio x${fmt(r.heldPops.afterOverBeforeCpuMeanRatio, 3)}); DynamoDB round trips ${r.heldPops.before.roundTrips.max} before, ${r.heldPops.after.roundTrips.max} after; a hold ${r.heldPops.held.roundTrips.max}, a Desktop with nothing held ${r.heldPops.desktop.roundTrips.max}`,
  );
  lines.push(...pipelineLines(r));
  const edge = r.edgeCost;
  lines.push(
    '',
    `11. Limits per tenant (bench/edgeCost.ts, ${edge.rounds} rounds of ${edge.pops} pops per stack): POST /pop answer p50 ` +
      `${fmt(edge.limits.accept.p50)} ms with the Lambda authorizer and a usage plan, ${fmt(edge.baseline.accept.p50)} ms ` +
      `with the Cognito authorizer (x${edge.ratios.acceptP50}); CPU per pop ${edge.limits.cpuMsPerPop} vs ` +
      `${edge.baseline.cpuMsPerPop} ms (x${edge.ratios.cpuPerPop}; at most x1.10: ${edge.ratios.cpuPerPop <= 1.1 ? 'met' : 'NOT met'})`,
  );
  lines.push('', 'Targets:');
  const t = r.targets;
  lines.push(
    `   delivery p99 at 32 callers < ${t.deliveryP99At32Ms.target} ms: ${fmt(t.deliveryP99At32Ms.value)} ms ${t.deliveryP99At32Ms.met ? 'met' : 'NOT met'}`,
  );
  const cpuRatios = t.routingCpuRatio.byConcurrency.map(
    (c: any) => `${c.concurrency} callers x${fmt(c.ratio, 2)} (${fmt(c.spread.min, 2)}-${fmt(c.spread.max, 2)})`,
  );
  lines.push(
    `   routing, stack CPU per pop 5,010 / 10 connections < x${t.routingCpuRatio.target}: ${cpuRatios.join(', ')} ${t.routingCpuRatio.met ? 'met' : 'NOT met'}`,
  );
  lines.push(
    `   bundles < 300 KB: ${t.bundleBytes.over.length === 0 ? 'met' : `NOT met by ${t.bundleBytes.over.join(', ')}`}`,
  );
  const worst = t.initRatioToEmptyProcess.worst;
  const worstText = `worst ${worst.handler} x${fmt(worst.initRatioToEmptyProcess.median, 2)} (${fmt(worst.initRatioToEmptyProcess.min, 2)}-${fmt(worst.initRatioToEmptyProcess.max, 2)})`;
  lines.push(
    `   init / empty node start of the same round < x${t.initRatioToEmptyProcess.target}: ${worstText} ${t.initRatioToEmptyProcess.over.length === 0 ? 'met' : `NOT met by ${t.initRatioToEmptyProcess.over.join(', ')}`}`,
  );
  lines.push(`   zero Cognito calls per pop: ${t.zeroCognitoCallsPerPop ? 'yes' : 'NO'}`);
  const bare = t.popHandlerOverBareCalls;
  lines.push(
    `   pop handler CPU / the same calls made bare <= x${bare.target}: x${fmt(bare.ratio.median, 2)} (${fmt(bare.ratio.min, 2)}-${fmt(bare.ratio.max, 2)}) ${bare.met ? 'met' : 'NOT met'}`,
  );
  lines.push(
    '',
    r.failures.length === 0
      ? 'Every pop arrived exactly once.'
      : `FAILED:\n${r.failures.map((f: string) => `   ${f}`).join('\n')}`,
  );
  lines.push('Results: bench/results.json', '');
  return lines.join('\n');
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
