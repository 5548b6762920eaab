/**
 * What a pop costs in AWS, on paper from figures measured here (bench/README.md, "What a pop costs in AWS"):
 * - CPU per invocation of the functions of a pop's path, in a process that does nothing else (bench/costCpuChild.ts),
 *   and of the same AWS calls made bare (the pop's own calls with no handler around them), in the same rounds;
 * - the AWS calls of each invocation, counted here by proxies in front of dynalite and cognito-local and by a stub
 *   `@connections` endpoint, with the calls that were in flight together (waves) and the request units dynalite
 *   reports (ReturnConsumedCapacity added while counting; AWS's minimums applied in bench/costModel.ts);
 * - module init of each function's bundle (bench/coldStart.ts).
 * Then the projection per memory size (bench/costModel.ts) and the memory it would choose for each function.
 * dynalite and cognito-local run in processes of their own; the proxies and the stub run in this one.
 * `npx tsx bench/costProjection.ts` runs it alone (about a minute); `npm run bench` runs it as a section.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { FUNCTION_MEMORY_MB, DEFAULT_FUNCTION_MEMORY_MB } from '../lib/functionMemory';
import { ConnectionStore } from '../lambdas/presence/connectionStore';
import { ENV } from '../lambdas/shared/settings';
import { startCognitoLocal, startDynalite } from '../local/emulators';
import { cognitoClient, createTable, createUserPool, dynamoDbClient, LOCAL_CREDENTIALS } from '../local/provision';
import { createTenantUser } from '../provisioning/tenantUsers';
import { measureColdStart, type ColdStartFigures } from './coldStart';
import {
  ASSUMED_LATENCY_MS,
  billedUnits,
  chooseMemory,
  DEFAULT_POLICY,
  ioWaitMs,
  MEMORY_SIZES_MB,
  popCostPerMillion,
  PRICES,
  projectFunction,
  UNLISTED_CALL_LATENCY_MS,
  type CallWaves,
  type FunctionFigures,
  type MemoryPolicy,
  type PopComposition,
  type ProjectionRow,
} from './costModel';
import { CallLog, operationOf, sumCapacity } from './callLog';
import { BARE_POP, type ChildMessage, type CostChildInput, type CostChildResult } from './costCpuChild';
import { fmt, spreadOf, type Spread } from './stats';

const ROOT = path.resolve(__dirname, '..');
const TENANT = 'cost';
const AGENT = 'agent-cost';
const CONNECTION = { connectionId: 'CostConn0=', username: 'cost-instance', instance: 'desk-1' };

/**
 * What one pop brings about with one instance holding the agent: the POST /pop, its push, the instance's two Acks
 * (Delivered at once, then Opened: instance/connector.ts), the three status changes of the pop item each handed to
 * popStream (one record per invocation, as at low traffic; batches cut the requests, not the work). The Acks' answers
 * carry no body, taken to mean API Gateway sends nothing back (a message more each if it does). The caller's token is re-used (no GET /auth per pop).
 */
export const POP_COMPOSITION: PopComposition = {
  invocations: { pop: 1, wsAck: 1, wsAckOpened: 1, popStream: 3 },
  restRequests: 1,
  webSocketMessages: 3,
};

/** Which function's memory a measured phase runs at (the second Ack is the wsAck function). */
const FUNCTION_OF: Readonly<Record<string, string>> = { wsAckOpened: 'wsAck' };
/** Whether someone waits for the function's answer (bench/costModel.ts MemoryPolicy). */
const ROLES: Readonly<Record<string, MemoryPolicy['role']>> = {
  pop: 'callerWaits',
  popStatus: 'callerWaits',
  authToken: 'callerWaits',
  wsAck: 'background',
  popStream: 'background',
};

// --- Call counting: proxies and a stub, one clock of calls in flight ---------------------------------------------

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  upstream: URL,
  req: IncomingMessage,
  body: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
    const out = httpRequest(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    out.on('error', reject);
    out.end(body);
  });
}

/** In front of dynalite: while counting, asks for ConsumedCapacity and takes it out of the answer again. */
async function dynamoDbProxy(log: CallLog, upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const operation = operationOf(req);
  let body = await readBody(req);
  const inv = log.begin(operation);
  const request = inv ? (JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>) : undefined;
  if (request && request.ReturnConsumedCapacity === undefined) {
    body = Buffer.from(JSON.stringify({ ...request, ReturnConsumedCapacity: 'TOTAL' }));
  }
  try {
    const answer = await forward(upstream, req, body);
    let out = answer.body;
    const headers = { ...answer.headers };
    if (inv && request) {
      const parsed = JSON.parse(out.toString('utf8') || '{}') as Record<string, unknown>;
      inv.dynamoDb.push({
        operation,
        consumed: sumCapacity(parsed.ConsumedCapacity),
        consistentRead: request.ConsistentRead === true,
        conditionFailed: String(parsed.__type ?? '').includes('ConditionalCheckFailed'),
      });
      if (request.ReturnConsumedCapacity === undefined && parsed.ConsumedCapacity !== undefined) {
        delete parsed.ConsumedCapacity;
        out = Buffer.from(JSON.stringify(parsed));
        delete headers['x-amz-crc32'];
      }
    }
    headers['content-length'] = String(out.length);
    res.writeHead(answer.status, headers as never).end(out);
  } finally {
    log.end();
  }
}

async function plainProxy(log: CallLog, upstream: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  log.begin(operationOf(req));
  try {
    const answer = await forward(upstream, req, body);
    res.writeHead(answer.status, answer.headers as never).end(answer.body);
  } finally {
    log.end();
  }
}

/** `@connections`: every push is taken at once (API Gateway answers 200 with no body). */
async function connectionsStub(log: CallLog, req: IncomingMessage, res: ServerResponse): Promise<void> {
  await readBody(req);
  log.begin(operationOf(req));
  res.writeHead(200, { 'content-length': '0' }).end();
  log.end();
}

async function listen(handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Promise<Server> {
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502).end(String(error));
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// --- The measurement -----------------------------------------------------------------------------------------------

export interface MeasuredFunction extends FunctionFigures {
  /** The function whose memory this phase runs at. */
  readonly fn: string;
  readonly cpuMsSpread: Spread;
  readonly callsPerInvocation: number;
  readonly ioWaitMs: number;
}

export interface CostProjection {
  readonly how: string;
  readonly rounds: number;
  readonly invocationsPerPhase: number;
  readonly functions: MeasuredFunction[];
  /** The pop handler's CPU over the same calls made bare, per round (median, min-max). */
  readonly popOverBareCalls: {
    readonly handlerCpuMs: Spread;
    readonly bareCpuMs: Spread;
    readonly ratio: Spread;
    readonly target: number;
    readonly bareWaves: CallWaves;
  };
  readonly assumptions: {
    readonly prices: typeof PRICES;
    readonly latencyMs: Readonly<Record<string, number>>;
    readonly unlistedCallLatencyMs: number;
    readonly composition: PopComposition;
    readonly policy: typeof DEFAULT_POLICY;
    readonly roles: Readonly<Record<string, MemoryPolicy['role']>>;
  };
  readonly projection: Record<string, ProjectionRow[]>;
  readonly choice: Record<string, { readonly chosenMb: number; readonly configuredMb: number }>;
  /** USD per million pops: every function at one size, and at the sizes chosen / configured in lib/. */
  readonly popCostPerMillion: {
    readonly bySize: { readonly memoryMb: number; readonly cost: ReturnType<typeof popCostPerMillion> }[];
    readonly chosen: ReturnType<typeof popCostPerMillion>;
    readonly configured: ReturnType<typeof popCostPerMillion>;
  };
  readonly statusCounts: CostChildResult['statusCounts'];
  /** Invocations that did not answer as a delivered pop's path does (a 202 pop, 200 otherwise): the figures are off. */
  readonly problems: string[];
  /** The same run's empty `node` start, to read init against (bench/coldStart.ts). */
  readonly emptyProcessStartMs: number;
}

const EXPECTED_STATUS: Readonly<Record<string, string>> = { pop: '202', popStream: 'ok', [BARE_POP]: 'ok' };

function problemsOf(statusCounts: CostChildResult['statusCounts']): string[] {
  return Object.entries(statusCounts).flatMap(([fn, counts]) =>
    Object.entries(counts)
      .filter(([status]) => status !== (EXPECTED_STATUS[fn] ?? '200'))
      .map(([status, n]) => `cost projection: ${n} ${fn} invocations answered ${status}`),
  );
}

export interface CostOptions {
  readonly rounds: number;
  readonly invocationsPerPhase: number;
  readonly countedInvocations: number;
  /** From the same run's bench/coldStart.ts; measured here when absent. */
  readonly coldStart?: ColdStartFigures;
  readonly log?: (line: string) => void;
  /** The measuring process's output (handler logs). */
  readonly logFile: string;
}

const modal = (traces: CallWaves[]): CallWaves => {
  const counts = new Map<string, number>();
  for (const t of traces) counts.set(JSON.stringify(t), (counts.get(JSON.stringify(t)) ?? 0) + 1);
  const [best] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? ['[]'];
  return JSON.parse(best) as CallWaves;
};

function runChild(child: ChildProcess, log: CallLog): Promise<CostChildResult> {
  return new Promise((resolve, reject) => {
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'invoking') {
        log.counting = true;
        log.start(message.fn);
        child.send({ type: 'go' });
      } else if (message.type === 'counted') {
        log.start(undefined);
        log.counting = false;
        const pops = log.invocations.filter((inv) => inv.fn === 'pop').map((inv) => inv.waves);
        child.send({ type: 'popWaves', waves: modal(pops) });
      } else if (message.type === 'result') resolve(message.result);
    });
    child.once('exit', (code) => reject(new Error(`bench/costCpuChild.ts exited with ${code}`)));
  });
}

async function measure(options: CostOptions, dir: string): Promise<{ child: CostChildResult; calls: CallLog }> {
  const dynalite = await startDynalite({ port: 0 });
  const cognitoLocal = await startCognitoLocal({ port: 0, dir });
  const calls = new CallLog(options.logFile);
  const servers: Server[] = [];
  try {
    const region = 'us-east-1';
    const tableName = 'remote-pop-cost';
    const raw = dynamoDbClient(dynalite.endpoint, region);
    await createTable(raw, tableName);
    const connections = new ConnectionStore(DynamoDBDocumentClient.from(raw), tableName);
    const connection = await connections.putConnection({ ...CONNECTION, tenant: TENANT, connectedAt: Date.now() });
    await connections.replaceDesktop(connection, [AGENT]);
    const cognito = cognitoClient(cognitoLocal.endpoint, region);
    const pool = await createUserPool(cognito);
    const apiUser = { username: 'cost-api', password: `Cost-${Math.random().toString(36).slice(2, 10)}9a!` };
    await createTenantUser(cognito, pool.userPoolId, { tenant: TENANT, role: 'api', ...apiUser });
    cognito.destroy();

    const dynamoUrl = new URL(dynalite.endpoint);
    const cognitoUrl = new URL(cognitoLocal.endpoint);
    servers.push(await listen((req, res) => dynamoDbProxy(calls, dynamoUrl, req, res)));
    servers.push(await listen((req, res) => plainProxy(calls, cognitoUrl, req, res)));
    servers.push(await listen((req, res) => connectionsStub(calls, req, res)));
    const input: CostChildInput = {
      tenant: TENANT,
      agent: AGENT,
      connection: CONNECTION,
      campaign: 'Sales',
      apiUser,
      directDynamoDbEndpoint: dynalite.endpoint,
      tableName,
      region,
      claimWindowSeconds: 60,
      popRetentionDays: 3,
      invocationsPerPhase: options.invocationsPerPhase,
      countedInvocations: options.countedInvocations,
      rounds: options.rounds,
    };
    const out = openSync(options.logFile, 'w');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      BENCH_COST_CHILD: JSON.stringify(input),
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'RemotePopBench',
      [ENV.region]: region,
      AWS_DEFAULT_REGION: region,
      [ENV.tableName]: tableName,
      [ENV.userPoolId]: pool.userPoolId,
      [ENV.userPoolClientId]: pool.userPoolClientId,
      [ENV.dynamoDbEndpoint]: urlOf(servers[0]!),
      [ENV.cognitoEndpoint]: urlOf(servers[1]!),
      [ENV.connectionsEndpoint]: `${urlOf(servers[2]!)}/v1`,
      // No webhook is registered: popStream looks for the tenant's webhooks and queues nothing.
      [ENV.webhookQueueUrl]: `${urlOf(servers[2]!)}/queue`,
      [ENV.claimWindowSeconds]: '60',
      [ENV.popRetentionDays]: '3',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    delete env.NODE_OPTIONS;
    const child = fork(path.join(__dirname, 'costCpuChild.ts'), [], {
      cwd: ROOT,
      execArgv: ['-r', 'tsx/cjs'],
      env,
      stdio: ['ignore', out, out, 'ipc'],
    });
    closeSync(out);
    try {
      return { child: await runChild(child, calls), calls };
    } finally {
      if (child.exitCode === null) child.kill();
    }
  } finally {
    for (const server of servers) server.closeAllConnections?.();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    await cognitoLocal.stop();
    await dynalite.stop();
  }
}

function figuresOf(
  name: string,
  child: CostChildResult,
  calls: CallLog,
  coldStart: ColdStartFigures,
): MeasuredFunction {
  const fn = FUNCTION_OF[name] ?? name;
  const invocations = calls.invocations.filter((inv) => inv.fn === name);
  const n = Math.max(1, invocations.length);
  const units = invocations.flatMap((inv) => inv.dynamoDb).map(billedUnits);
  const cpu = spreadOf(child.rounds.map((round) => round[name]!));
  const waves = modal(invocations.map((inv) => inv.waves));
  return {
    name,
    fn,
    cpuMs: cpu.median,
    cpuMsSpread: cpu,
    waves,
    callsPerInvocation: Number((invocations.reduce((s, inv) => s + inv.waves.flat().length, 0) / n).toFixed(2)),
    ioWaitMs: ioWaitMs(waves),
    initMs: coldStart.bundles.find((b) => b.handler === fn)?.initMsMedian ?? NaN,
    readUnits: Number((units.reduce((s, u) => s + u.read, 0) / n).toFixed(3)),
    logBytes: Math.round(invocations.reduce((s, inv) => s + inv.logBytes, 0) / n),
    writeUnits: Number((units.reduce((s, u) => s + u.write, 0) / n).toFixed(3)),
  };
}

export async function measureCostProjection(options: CostOptions): Promise<CostProjection> {
  const log = options.log ?? (() => undefined);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'remote-pop-cost-'));
  try {
    const coldStart =
      options.coldStart ?? (await measureColdStart(path.join(dir, 'bundles'), Math.max(3, options.rounds), log));
    log(`cost: ${options.rounds} rounds of ${options.invocationsPerPhase} invocations per function, dynalite apart`);
    const { child, calls } = await measure(options, dir);
    const names = ['pop', 'wsAck', 'wsAckOpened', 'popStatus', 'popStream', 'authToken'];
    const functions = names.map((name) => figuresOf(name, child, calls, coldStart));
    const ratios = child.rounds.map((round) => round.pop! / round[BARE_POP]!);
    const projection = Object.fromEntries(functions.map((f) => [f.name, projectFunction(f)]));
    const choice = Object.fromEntries(
      functions
        .filter((f) => f.fn === f.name)
        .map((f) => [
          f.name,
          {
            chosenMb: chooseMemory(projection[f.name]!, { ...DEFAULT_POLICY, role: ROLES[f.name] ?? 'background' }),
            configuredMb: FUNCTION_MEMORY_MB[f.name as keyof typeof FUNCTION_MEMORY_MB] ?? DEFAULT_FUNCTION_MEMORY_MB,
          },
        ]),
    );
    const memoryFor = (pick: (fn: string) => number) => Object.fromEntries(functions.map((f) => [f.name, pick(f.fn)]));
    return {
      how:
        'process.cpuUsage() (user+system) per invocation in a process that only invokes (bench/costCpuChild.ts); ' +
        'calls counted by proxies in front of the emulators (waves = calls in flight together); ' +
        'request units from dynalite ConsumedCapacity with AWS minimums; init from bench/coldStart.ts',
      rounds: options.rounds,
      invocationsPerPhase: options.invocationsPerPhase,
      functions,
      popOverBareCalls: {
        handlerCpuMs: spreadOf(child.rounds.map((round) => round.pop!)),
        bareCpuMs: spreadOf(child.rounds.map((round) => round[BARE_POP]!)),
        ratio: spreadOf(ratios),
        target: 1.2,
        bareWaves: child.bareWaves,
      },
      assumptions: {
        prices: PRICES,
        latencyMs: ASSUMED_LATENCY_MS,
        unlistedCallLatencyMs: UNLISTED_CALL_LATENCY_MS,
        composition: POP_COMPOSITION,
        policy: DEFAULT_POLICY,
        roles: ROLES,
      },
      projection,
      choice,
      popCostPerMillion: {
        bySize: MEMORY_SIZES_MB.map((memoryMb) => ({
          memoryMb,
          cost: popCostPerMillion(
            POP_COMPOSITION,
            functions,
            memoryFor(() => memoryMb),
          ),
        })),
        chosen: popCostPerMillion(
          POP_COMPOSITION,
          functions,
          memoryFor((fn) => choice[fn]!.chosenMb),
        ),
        configured: popCostPerMillion(
          POP_COMPOSITION,
          functions,
          memoryFor((fn) => choice[fn]!.configuredMb),
        ),
      },
      statusCounts: child.statusCounts,
      problems: problemsOf(child.statusCounts),
      emptyProcessStartMs: coldStart.emptyProcessStartMsMedian,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// --- The table -----------------------------------------------------------------------------------------------------

const usd = (value: number) => `$${value.toFixed(value < 10 ? 3 : 2)}`;
const wavesText = (waves: CallWaves) => waves.map((wave) => wave.join(' + ')).join(' | ') || 'none';

export function costTable(r: CostProjection): string {
  const lines: string[] = [];
  const p = r.popOverBareCalls;
  lines.push(
    `   pop handler CPU over the same calls made bare: x${fmt(p.ratio.median, 2)} (${fmt(p.ratio.min, 2)}-${fmt(p.ratio.max, 2)}) ` +
      `(handler ${fmt(p.handlerCpuMs.median, 2)} ms, bare ${fmt(p.bareCpuMs.median, 2)} ms; aim x${p.target}); bare calls: ${wavesText(p.bareWaves)}`,
  );
  lines.push(
    `   assumed round trips: ${Object.entries(r.assumptions.latencyMs)
      .map(([op, ms]) => `${op} ${ms}`)
      .join(', ')} ms; 1 vCPU at ${1769} MB; prices ${r.assumptions.prices.region} ${r.assumptions.prices.asOf}`,
    `   init: median import of each bundle in a fresh node (an empty node start took ${fmt(r.emptyProcessStartMs)} ms)`,
  );
  for (const problem of r.problems) lines.push(`   PROBLEM: ${problem}`);
  for (const f of r.functions) {
    lines.push(
      '',
      `   ${f.name}: CPU ${fmt(f.cpuMs, 2)} ms (${fmt(f.cpuMsSpread.min, 2)}-${fmt(f.cpuMsSpread.max, 2)}), ${f.callsPerInvocation} calls: ${wavesText(f.waves)}; ` +
        `I/O wait ${fmt(f.ioWaitMs, 0)} ms; init ${fmt(f.initMs)} ms; ${f.readUnits} RRU + ${f.writeUnits} WRU; log ${f.logBytes} B`,
    );
    lines.push('     memory  vCPU   warm ms  cold start ms  $ per M invocations');
    for (const row of r.projection[f.name]!) {
      lines.push(
        `     ${String(row.memoryMb).padStart(6)}  ${fmt(row.vcpuShare, 2).padStart(4)}  ${fmt(row.durationMs).padStart(7)}  ${fmt(row.coldStartMs, 0).padStart(13)}  ${usd(row.lambdaUsdPerMillion).padStart(8)}`,
      );
    }
  }
  lines.push('', '   memory per function: chosen by the table (bench/costModel.ts chooseMemory) / configured in lib/');
  for (const [fn, c] of Object.entries(r.choice)) {
    lines.push(
      `     ${fn.padEnd(10)} ${String(c.chosenMb).padStart(5)} / ${String(c.configuredMb).padStart(5)} MB${c.chosenMb === c.configuredMb ? '' : '  (differs)'}`,
    );
  }
  const cost = (label: string, c: CostProjection['popCostPerMillion']['chosen']) =>
    `     ${label.padEnd(22)} ${usd(c.total).padStart(8)}  (Lambda ${usd(c.lambda)}, REST ${usd(c.rest)}, WebSocket ${usd(c.webSocket)}, DynamoDB ${usd(c.dynamoDbRead + c.dynamoDbWrite)}, logs ${usd(c.logs)})`;
  lines.push('', '   USD per million pops (pop, 2 Acks, 3 popStream records, 1 REST request, 3 WebSocket messages):');
  for (const s of r.popCostPerMillion.bySize) lines.push(cost(`all at ${s.memoryMb} MB`, s.cost));
  lines.push(
    cost('as chosen', r.popCostPerMillion.chosen),
    cost('as configured in lib/', r.popCostPerMillion.configured),
  );
  return lines.join('\n');
}

if (require.main === module) {
  const quick = process.env.BENCH_QUICK === '1';
  const logFile = path.join(ROOT, '.local', 'bench', 'cost-child.log');
  mkdirSync(path.dirname(logFile), { recursive: true });
  measureCostProjection({
    rounds: quick ? 2 : 5,
    invocationsPerPhase: quick ? 15 : 60,
    countedInvocations: quick ? 5 : 20,
    logFile,
    log: (line) => process.stderr.write(`[cost] ${line}\n`),
  }).then(
    (r) => {
      process.stdout.write(`${costTable(r)}\n`);
      if (r.problems.length > 0) process.exitCode = 1;
      if (process.env.BENCH_COST_JSON) writeFileSync(process.env.BENCH_COST_JSON, JSON.stringify(r, null, 2));
    },
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exitCode = 1;
    },
  );
}
