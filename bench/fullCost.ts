/**
 * What a million pops cost beyond the per-pop projection (bench/costProjection.ts, docs/design/stack.md), at 1, 10 and
 * 100 million pops a month: X-Ray traces (the REST stage under the stack's sampling rule, the functions Lambda starts
 * under X-Ray's default), access log lines, Idempotency-Key writes,
 * the instances' heartbeat and Cognito's monthly active users, and what the batched stream consumer changed in the event feed's writes
 * and the TTL deletions' invocations. docs/cost.md shows costTable(); test/unit/bench/fullCost.test.ts recomputes it.
 */
import { DEFAULT_SETTINGS } from '../lib/stackSettings';
import { PRICES } from './costModel';

const SECONDS_PER_MONTH = 30.4 * 24 * 3600;

/** Prices not in costModel.ts's PRICES, us-east-1 list prices read 2026-12-06 (check them for your region). */
export const MORE_PRICES = {
  /** X-Ray traces recorded, per million; the first 100,000 a month are free. */
  xrayPerMillionTraces: 5,
  xrayFreeTracesPerMonth: 100_000,
  /** Cognito Plus tier (lib/userPool.ts), per monthly active user. */
  cognitoPlusPerMau: 0.02,
} as const;

/** The assumptions the figures rest on, each named so the page can say it. */
export const ASSUMED = {
  /** The per-pop projection before the batched stream consumer, USD per million pops (docs/design/stack.md). */
  basePerMillionPops: 20.1,
  /** The batched stream consumer: per event one counter update and one consistent read fewer (lambdas/events/streamHandler.ts). */
  feedWriteUnitsSavedPerPop: 3,
  feedReadUnitsSavedPerPop: 3,
  /** REST requests per pop that X-Ray may trace at the stage (lib/tracing.ts's rule): POST /pop. */
  restTracesPerPop: 1,
  /**
   * Invocations per pop that Lambda starts itself and samples alone: two Acks (WebSocket, which API Gateway does not
   * trace) and three popStream invocations at low traffic. No sampling rule reaches them.
   */
  lambdaRootTracesPerPop: 5,
  /** X-Ray's default, which Lambda applies: the first request each second, then 5 % (one reservoir assumed). */
  xrayReservoirPerSecond: 1,
  xrayFixedRate: 0.05,
  /** Access log bytes per pop: one REST line (about 600 bytes) and two WebSocket Ack lines (about 500 each). */
  accessLogBytesPerPop: 1_600,
  /** Idempotency-Key: its claim and its recorded answer, one write unit each, when a caller sends one. */
  idempotencyWriteUnitsPerPop: 2,
  /** The fleet, whatever the volume: 1,000 instances connected all month, 1,100 users signing in each month. */
  instances: 1_000,
  monthlyActiveUsers: 1_100,
  /** instance/README.md: a Ping every 300 s, answered by a Pong, each Ping one wsPing invocation of about 5 ms. */
  heartbeatSeconds: 300,
  pingMs: 5,
} as const;

export const VOLUMES = [1_000_000, 10_000_000, 100_000_000] as const;

/** Requests traced a month out of `requests` under a rule of this reservoir (per second) and fixed rate. */
function traced(requests: number, reservoirPerSecond: number, fixedRate: number): number {
  const reservoir = reservoirPerSecond * SECONDS_PER_MONTH;
  return Math.min(requests, reservoir + fixedRate * Math.max(0, requests - reservoir));
}

/** Traces a month of the REST stage, under the stack's rule at its settings' defaults (lib/tracing.ts). */
export const restTraces = (pops: number): number =>
  traced(pops * ASSUMED.restTracesPerPop, DEFAULT_SETTINGS.xraySamplingReservoir, DEFAULT_SETTINGS.xraySamplingRate);

/** Traces a month of the functions Lambda starts itself, under X-Ray's default. */
export const lambdaRootTraces = (pops: number): number =>
  traced(pops * ASSUMED.lambdaRootTracesPerPop, ASSUMED.xrayReservoirPerSecond, ASSUMED.xrayFixedRate);

const usdPerTrace = MORE_PRICES.xrayPerMillionTraces / 1e6;

/** USD a month for X-Ray at `pops` a month: both kinds of traces, less the free ones. */
export function xrayPerMonth(pops: number): number {
  return Math.max(0, restTraces(pops) + lambdaRootTraces(pops) - MORE_PRICES.xrayFreeTracesPerMonth) * usdPerTrace;
}

/** USD a month for the heartbeat of the fleet (messages both ways, the wsPing invocations, connection minutes). */
export function heartbeatPerMonth(): number {
  const pings = (SECONDS_PER_MONTH / ASSUMED.heartbeatSeconds) * ASSUMED.instances;
  const lambda = PRICES.lambdaPerMillionRequests / 1e6 + PRICES.lambdaArmPerGbSecond * 0.256 * (ASSUMED.pingMs / 1000);
  const minutes = (SECONDS_PER_MONTH / 60) * ASSUMED.instances;
  return (
    pings * (2 * (PRICES.webSocketPerMillionMessages / 1e6) + lambda) +
    (minutes / 1e6) * PRICES.webSocketPerMillionConnectionMinutes
  );
}

export interface CostLine {
  readonly item: string;
  /** USD per million pops at each of VOLUMES. */
  readonly perMillion: readonly number[];
}

export function costLines(): CostLine[] {
  const perMillion = (perMonth: (pops: number) => number) => VOLUMES.map((pops) => perMonth(pops) / (pops / 1e6));
  const flat = (usd: number) => VOLUMES.map(() => usd);
  const saved =
    (ASSUMED.feedWriteUnitsSavedPerPop * PRICES.dynamoDbPerMillionWriteUnits +
      ASSUMED.feedReadUnitsSavedPerPop * PRICES.dynamoDbPerMillionReadUnits) *
    -1;
  const lines: CostLine[] = [
    { item: 'Per-pop projection (docs/design/stack.md)', perMillion: flat(ASSUMED.basePerMillionPops) },
    { item: "Batched stream consumer: the feed's counter and place reads", perMillion: flat(saved) },
    {
      item: `X-Ray, REST stage (the stack's rule: ${DEFAULT_SETTINGS.xraySamplingRate * 100} %, reservoir ${DEFAULT_SETTINGS.xraySamplingReservoir})`,
      perMillion: perMillion((pops) => restTraces(pops) * usdPerTrace),
    },
    {
      item: "X-Ray, functions Lambda starts (X-Ray's default), less the free traces",
      perMillion: perMillion((pops) => xrayPerMonth(pops) - restTraces(pops) * usdPerTrace),
    },
    {
      item: 'Access logs (REST and WebSocket)',
      perMillion: flat((ASSUMED.accessLogBytesPerPop / 1e3) * PRICES.logsPerGbIngested),
    },
    {
      item: 'Idempotency-Key on every pop',
      perMillion: flat(ASSUMED.idempotencyWriteUnitsPerPop * PRICES.dynamoDbPerMillionWriteUnits),
    },
    { item: 'Heartbeat, 1,000 instances', perMillion: perMillion(() => heartbeatPerMonth()) },
    {
      item: 'Cognito Plus, 1,100 monthly active users',
      perMillion: perMillion(() => ASSUMED.monthlyActiveUsers * MORE_PRICES.cognitoPlusPerMau),
    },
    { item: "TTL deletions' popStream invocations (filtered out)", perMillion: flat(0) },
  ];
  return [
    ...lines,
    { item: 'Total', perMillion: VOLUMES.map((_, i) => lines.reduce((sum, l) => sum + l.perMillion[i]!, 0)) },
  ];
}

/** The table docs/cost.md shows between its cost-table markers, formatted as Prettier leaves it. */
export function costTable(): string {
  const header = ['USD per million pops', ...VOLUMES.map((v) => `${v / 1e6} M pops/month`)];
  const rows = costLines().map((l) => [l.item, ...l.perMillion.map((usd) => usd.toFixed(2))]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ')} |`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}
