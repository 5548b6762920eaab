/**
 * The ceilings that bind first (docs/capacity.md), computed from the code's own constants and AWS's documented
 * quotas, so the page cannot drift: test/unit/bench/capacity.test.ts recomputes its table from this module.
 */
import { EVENT_FEED_SHARDS } from '../lambdas/events/feedPartitions';
import { STREAM_CONCURRENCY } from '../lambdas/events/streamHandler';
import { DEFAULT_SETTINGS } from '../lib/stackSettings';
import { DEFAULT_STREAM_PARALLELIZATION, STREAM_BATCH_SIZE } from '../lib/streamMapping';

/** AWS's documented quotas and limits (defaults; most can be raised through Service Quotas). */
export const AWS_QUOTAS = {
  /** DynamoDB: write units per second one partition serves (one stream shard per partition). */
  partitionWriteUnitsPerSecond: 1_000,
  /** API Gateway: REST requests per second per account and region (all APIs). */
  restAccountRequestsPerSecond: 10_000,
  /** API Gateway WebSocket: new connections per second per account and region. */
  webSocketNewConnectionsPerSecond: 500,
  /** Lambda: concurrent executions per account and region. */
  lambdaAccountConcurrency: 1_000,
  /** Lambda event source mapping: concurrent batches per shard at most. */
  maxParallelizationFactor: 10,
} as const;

/** The project's own measurements (docs/deploy.md, "Memory per function", bench/costProjection.ts). */
export const MEASURED = {
  /** popStream's duration per record at 256 MB, its five sequential calls (Get, Update, Put, Put, Query). */
  streamRecordMsBefore: 43,
  streamCallsPerRecordBefore: 5,
} as const;

/** What the design writes, per pop and per event (lambdas/events/, lambdas/pops/). */
export const DESIGN = {
  /** Status changes per pop that become events: Sent, Delivered, Opened. */
  eventsPerPop: 3,
  /** Writes to a pop item per pop (create, the delivery noted, Delivered, Opened): the stream's records per pop. */
  popItemWritesPerPop: 4,
  /** Write units of one pop item write (items of 1 KB or less; a large ScriptData makes more, up to 32 for 32 KB). */
  writeUnitsPerPopWrite: 1,
  /**
   * Writes to one of the tenant's EVENTS#<tenant>#<shard> partitions per event: the slot (the place is an item of its
   * own partition, EVKEY#<tenant>#<eventId>; the shard's counter EVSEQ#<tenant>#<shard> another, one update per batch).
   */
  slotWritesPerEvent: 1,
  /** Shards of one tenant's feed (lambdas/events/feedPartitions.ts): partition keys that share its slot writes. */
  feedShards: EVENT_FEED_SHARDS,
  /** Sequential calls per record of the batched stream consumer within one pop's group: its place and its slot. */
  streamCallsPerRecordAfter: 2,
  /** Calls per batch before the records: the places (one per tenant) and the webhook lists, in parallel. */
  streamCallsPerBatch: 1,
} as const;

export interface CapacityRow {
  readonly ceiling: string;
  readonly scope: string;
  readonly value: number;
  readonly unit: string;
  readonly from: string;
}

const round = (x: number) => Math.round(x);
const msPerCall = MEASURED.streamRecordMsBefore / MEASURED.streamCallsPerRecordBefore;

/** Records per second one shard's consumer handles: parallel batches, each ceil(B/C) rounds of a record's calls. */
export function streamRecordsPerShard(after: boolean): number {
  if (!after) return 1000 / MEASURED.streamRecordMsBefore;
  const rounds = Math.ceil(STREAM_BATCH_SIZE / STREAM_CONCURRENCY);
  const batchMs = (DESIGN.streamCallsPerBatch + rounds * DESIGN.streamCallsPerRecordAfter) * msPerCall;
  return (DEFAULT_STREAM_PARALLELIZATION * STREAM_BATCH_SIZE * 1000) / batchMs;
}

export function capacityRows(): CapacityRow[] {
  const popsPerPartition =
    AWS_QUOTAS.partitionWriteUnitsPerSecond / (DESIGN.popItemWritesPerPop * DESIGN.writeUnitsPerPopWrite);
  const eventsPerTenant = (DESIGN.feedShards * AWS_QUOTAS.partitionWriteUnitsPerSecond) / DESIGN.slotWritesPerEvent;
  return [
    {
      ceiling: 'REST stage rate (`restThrottleRate`)',
      scope: 'stack',
      value: DEFAULT_SETTINGS.restThrottleRate,
      unit: 'requests/s',
      from: 'setting default',
    },
    {
      ceiling: 'REST requests, all APIs',
      scope: 'account, region',
      value: AWS_QUOTAS.restAccountRequestsPerSecond,
      unit: 'requests/s',
      from: 'API Gateway quota',
    },
    {
      ceiling: 'WebSocket new connections',
      scope: 'account, region',
      value: AWS_QUOTAS.webSocketNewConnectionsPerSecond,
      unit: 'connections/s',
      from: 'API Gateway quota',
    },
    {
      ceiling: 'Lambda concurrency, all functions',
      scope: 'account, region',
      value: AWS_QUOTAS.lambdaAccountConcurrency,
      unit: 'executions',
      from: 'Lambda quota',
    },
    {
      ceiling: `Events of one tenant (slot writes to its ${DESIGN.feedShards} EVENTS# shards)`,
      scope: 'tenant',
      value: round(eventsPerTenant),
      unit: 'events/s',
      from: `${DESIGN.feedShards} x 1,000 WCU per partition / 1 slot write per event`,
    },
    {
      ceiling: 'Pops of one tenant, by its feed',
      scope: 'tenant',
      value: round(eventsPerTenant / DESIGN.eventsPerPop),
      unit: 'pops/s',
      from: 'the line above / 3 events per pop',
    },
    {
      ceiling: 'Pop writes one table partition takes (so one stream shard)',
      scope: 'shard',
      value: round(popsPerPartition),
      unit: 'pops/s',
      from: '1,000 WCU / (4 pop writes x 1 WCU)',
    },
    {
      ceiling: 'Stream consumer, before (one record at a time, factor 1)',
      scope: 'shard',
      value: round(streamRecordsPerShard(false) / DESIGN.popItemWritesPerPop),
      unit: 'pops/s',
      from: '1,000 / 43 ms per record / 4 records per pop',
    },
    {
      ceiling: `Stream consumer, after (factor ${DEFAULT_STREAM_PARALLELIZATION}, ${STREAM_CONCURRENCY} pops at once, 2 calls)`,
      scope: 'shard',
      value: round(streamRecordsPerShard(true) / DESIGN.popItemWritesPerPop),
      unit: 'pops/s',
      from: 'streamRecordsPerShard(true) / 4 records per pop',
    },
  ];
}

/** The table as docs/capacity.md shows it (between its capacity-table markers), formatted as Prettier leaves it. */
export function capacityTable(): string {
  const rows = capacityRows().map((r) => [r.ceiling, r.scope, r.value.toLocaleString('en-US'), r.unit, r.from]);
  const header = ['ceiling', 'scope', 'value', 'unit', 'from'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
