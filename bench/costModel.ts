/**
 * What a function costs in AWS, projected from figures measured locally (bench/costProjection.ts): pure arithmetic,
 * unit-tested in test/unit/bench/costModel.test.ts. Every price and every latency here is an assumption stated once,
 * so the table the bench prints can be re-read against it.
 *
 * Model: Lambda gives a function CPU in proportion to its memory, one full vCPU at 1,769 MB (the Lambda developer
 * guide, "Configuring Lambda function memory"). A warm invocation lasts its CPU time divided by that share plus the
 * waits on AWS calls; calls made in parallel wait once, for the slowest. One vCPU of Lambda arm64 is taken as one
 * core of the machine the CPU was measured on.
 */

/** Memory sizes of the table, MB. 1,769 is the size at which the function has one full vCPU. */
export const MEMORY_SIZES_MB = [128, 256, 512, 1024, 1769, 2048] as const;
export const FULL_VCPU_MB = 1769;

/**
 * List prices, us-east-1, USD, as read on 2026-11-30 (AWS pricing pages for Lambda, API Gateway and DynamoDB on-demand;
 * first tier of each, no free tier). Check them before relying on the totals.
 */
export const PRICES = {
  asOf: '2026-11-30',
  region: 'us-east-1',
  /** Lambda arm64 duration, per GB-second (first 7.5 billion GB-s a month). */
  lambdaArmPerGbSecond: 0.0000133334,
  /** Lambda requests, per million (both architectures). */
  lambdaPerMillionRequests: 0.2,
  /** API Gateway REST API requests, per million (first 333 million a month). */
  restPerMillionRequests: 3.5,
  /** API Gateway WebSocket messages, per million, sent or received, in 32 KB increments (first billion a month). */
  webSocketPerMillionMessages: 1.0,
  /** API Gateway WebSocket connection minutes, per million. */
  webSocketPerMillionConnectionMinutes: 0.25,
  /** DynamoDB on-demand write request units, per million. */
  dynamoDbPerMillionWriteUnits: 0.625,
  /** DynamoDB on-demand read request units, per million. */
  dynamoDbPerMillionReadUnits: 0.125,
  /** CloudWatch Logs ingestion, standard log class, per GB (10^9 bytes here). */
  logsPerGbIngested: 0.5,
} as const;

/** Lambda's own START, END and REPORT lines per invocation, bytes (assumed; the handler's lines are measured). */
export const PLATFORM_LOG_BYTES = 400;

export type Prices = Omit<typeof PRICES, 'asOf' | 'region'>;

/**
 * Assumed round trip of one call from a Lambda in the same region, ms. DynamoDB: single-digit milliseconds for item
 * operations (AWS's own statement for GetItem and PutItem; a Query of a few small items is taken as the same).
 * PostToConnection and Cognito: AWS publishes no figure; these are assumptions to be replaced by X-Ray traces.
 */
export const ASSUMED_LATENCY_MS: Readonly<Record<string, number>> = {
  GetItem: 5,
  PutItem: 5,
  UpdateItem: 5,
  DeleteItem: 5,
  Query: 5,
  BatchWriteItem: 8,
  PostToConnection: 20,
  AdminInitiateAuth: 100,
  DescribeUserPoolClient: 30,
  AdminGetUser: 30,
};
/** Any call not listed above. */
export const UNLISTED_CALL_LATENCY_MS = 10;

/** The calls of one invocation in the order they were made: calls in one wave were in flight together. */
export type CallWaves = readonly (readonly string[])[];

export const vcpuShare = (memoryMb: number): number => Math.min(1, memoryMb / FULL_VCPU_MB);

export function callLatencyMs(operation: string, latencies: Readonly<Record<string, number>> = ASSUMED_LATENCY_MS) {
  return latencies[operation] ?? UNLISTED_CALL_LATENCY_MS;
}

/** The waits of one invocation: each wave waits for its slowest call. */
export function ioWaitMs(waves: CallWaves, latencies: Readonly<Record<string, number>> = ASSUMED_LATENCY_MS): number {
  return waves.reduce((sum, wave) => sum + Math.max(0, ...wave.map((op) => callLatencyMs(op, latencies))), 0);
}

export const projectedDurationMs = (cpuMs: number, ioMs: number, memoryMb: number): number =>
  cpuMs / vcpuShare(memoryMb) + ioMs;

/** Module initialisation measured on a full core, at the function's share (an upper bound if init gets more CPU). */
export const projectedColdStartMs = (initMs: number, memoryMb: number): number => initMs / vcpuShare(memoryMb);

/** Lambda bills duration rounded up to the millisecond, memory in GB of 1,024 MB. */
export function lambdaCostPerMillion(memoryMb: number, durationMs: number, prices: Prices = PRICES): number {
  const gbSeconds = (memoryMb / 1024) * (Math.ceil(durationMs) / 1000);
  return gbSeconds * prices.lambdaArmPerGbSecond * 1e6 + prices.lambdaPerMillionRequests;
}

/** One DynamoDB call as the bench saw it (the emulator's ConsumedCapacity, before AWS's minimums). */
export interface DynamoDbCall {
  readonly operation: string;
  /** Capacity units the emulator reported; 0 when it reported none. */
  readonly consumed: number;
  readonly consistentRead: boolean;
  /** A conditional write refused by its condition: AWS still charges it. */
  readonly conditionFailed: boolean;
}

const READS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem']);

/**
 * Request units AWS bills for a call: a read at least 1 unit (strongly consistent) or 0.5 (eventually consistent),
 * even when nothing matched; a write at least 1 unit, also when its condition failed. Writes to items that carry
 * the ByConnection index's key cost one more unit per index write; the emulator does not report those, and the pop
 * path's items (claims, pops, events) carry no index key.
 */
export function billedUnits(call: DynamoDbCall): { read: number; write: number } {
  if (READS.has(call.operation)) {
    const minimum = call.consistentRead ? 1 : 0.5;
    return { read: Math.max(minimum, call.consumed), write: 0 };
  }
  return { read: 0, write: Math.max(1, call.consumed) };
}

/** What one function measured: CPU per invocation, its calls, its init. */
export interface FunctionFigures {
  readonly name: string;
  readonly cpuMs: number;
  readonly waves: CallWaves;
  readonly initMs: number;
  readonly readUnits: number;
  readonly writeUnits: number;
  /** Bytes the handler logs per invocation (its JSON lines and metric lines). */
  readonly logBytes: number;
}

export interface ProjectionRow {
  readonly memoryMb: number;
  readonly vcpuShare: number;
  readonly durationMs: number;
  readonly coldStartMs: number;
  /** Lambda only: duration and request, per million invocations. */
  readonly lambdaUsdPerMillion: number;
}

export function projectFunction(
  figures: FunctionFigures,
  sizes: readonly number[] = MEMORY_SIZES_MB,
  latencies?: Readonly<Record<string, number>>,
  prices: Prices = PRICES,
): ProjectionRow[] {
  const io = ioWaitMs(figures.waves, latencies);
  return sizes.map((memoryMb) => {
    const durationMs = projectedDurationMs(figures.cpuMs, io, memoryMb);
    return {
      memoryMb,
      vcpuShare: vcpuShare(memoryMb),
      durationMs,
      coldStartMs: projectedColdStartMs(figures.initMs, memoryMb),
      lambdaUsdPerMillion: lambdaCostPerMillion(memoryMb, durationMs, prices),
    };
  });
}

/**
 * How a memory size is chosen. `callerWaits`: someone waits for the answer (a REST caller, or a pop waiting for its
 * delivery): the smallest size whose warm duration is within `slack` of the full-vCPU duration, the slack being the
 * larger of a share of it and a few milliseconds (a share alone would ask a 6 ms read to stay within 0.6 ms).
 * `background`: nobody waits: the cheapest size. Never below `minimumMb`, the headroom Node and a bundled SDK need.
 */
export interface MemoryPolicy {
  readonly role: 'callerWaits' | 'background';
  readonly slackShare: number;
  readonly slackMs: number;
  readonly minimumMb: number;
}

export const DEFAULT_POLICY: Omit<MemoryPolicy, 'role'> = { slackShare: 0.1, slackMs: 5, minimumMb: 256 };

export function chooseMemory(rows: readonly ProjectionRow[], policy: MemoryPolicy): number {
  const allowed = rows.filter((row) => row.memoryMb >= policy.minimumMb).sort((a, b) => a.memoryMb - b.memoryMb);
  if (allowed.length === 0) throw new Error(`no memory size of at least ${policy.minimumMb} MB in the table`);
  if (policy.role === 'background') {
    return allowed.reduce((best, row) => (row.lambdaUsdPerMillion < best.lambdaUsdPerMillion ? row : best)).memoryMb;
  }
  const full = rows.find((row) => row.vcpuShare === 1) ?? allowed[allowed.length - 1]!;
  const limit = full.durationMs + Math.max(policy.slackShare * full.durationMs, policy.slackMs);
  return (allowed.find((row) => row.durationMs <= limit) ?? allowed[allowed.length - 1]!).memoryMb;
}

/** What one pop brings about, beyond the functions' own figures. */
export interface PopComposition {
  /** Invocations of each function per pop. */
  readonly invocations: Readonly<Record<string, number>>;
  readonly restRequests: number;
  readonly webSocketMessages: number;
}

export interface PopCost {
  readonly lambda: number;
  readonly rest: number;
  readonly webSocket: number;
  readonly dynamoDbRead: number;
  readonly dynamoDbWrite: number;
  readonly logs: number;
  readonly total: number;
}

/** USD per million pops with each function at the memory given (a function missing from `memoryMb` is an error). */
export function popCostPerMillion(
  composition: PopComposition,
  figures: readonly FunctionFigures[],
  memoryMb: Readonly<Record<string, number>>,
  latencies?: Readonly<Record<string, number>>,
  prices: Prices = PRICES,
): PopCost {
  let lambda = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let logBytes = 0;
  for (const [name, count] of Object.entries(composition.invocations)) {
    const f = figures.find((candidate) => candidate.name === name);
    const memory = memoryMb[name];
    if (!f || memory === undefined) throw new Error(`no figures or memory size for ${name}`);
    const duration = projectedDurationMs(f.cpuMs, ioWaitMs(f.waves, latencies), memory);
    lambda += count * lambdaCostPerMillion(memory, duration, prices);
    readUnits += count * f.readUnits;
    writeUnits += count * f.writeUnits;
    logBytes += count * (f.logBytes + PLATFORM_LOG_BYTES);
  }
  const rest = composition.restRequests * prices.restPerMillionRequests;
  const webSocket = composition.webSocketMessages * prices.webSocketPerMillionMessages;
  const dynamoDbRead = readUnits * prices.dynamoDbPerMillionReadUnits;
  const dynamoDbWrite = writeUnits * prices.dynamoDbPerMillionWriteUnits;
  // Bytes per pop x a million pops, in GB of 10^9 bytes.
  const logs = (logBytes / 1e3) * prices.logsPerGbIngested;
  const total = lambda + rest + webSocket + dynamoDbRead + dynamoDbWrite + logs;
  return { lambda, rest, webSocket, dynamoDbRead, dynamoDbWrite, logs, total };
}
