/**
 * The table's stream, filtered to pop items (lib/eventPipeline.ts; locally local/streams/), in: one feed event per
 * status change (popEvents.ts, eventLog.ts).
 *
 * A batch's records are grouped by item (one pop): the groups run concurrently, at most STREAM_CONCURRENCY at once,
 * and the records of one group one after another, so each pop's events keep the stream's order (the only order the
 * stream has: per item). The feed's protocol already takes writers in parallel (eventLog.ts). A group stops at its
 * first failure and that record is reported (ReportBatchItemFailures); Lambda resumes from the lowest reported
 * sequence number, so what came after it in the batch is handled again: appending is idempotent per event id, and a
 * webhook delivery may repeat with the same `webhook-id` (at-least-once, lambdas/webhooks/enqueue.ts).
 *
 * Round trips: the places of a batch's events are taken per tenant and shard in one counter update (allocateRange)
 * and each claimed without reading first (eventLog.ts), so an event costs two writes (its place, its slot); the
 * tenant's webhook list is read once per tenant per batch, not once per event: a webhook created or removed takes
 * effect from the next batch (an invocation lasts well under the function's timeout).
 */
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { baseLogger } from '../shared/logger';
import { METRIC, noMetrics, type MetricsSink } from '../shared/metrics';
import { TABLE_KEYS, epochSeconds } from '../store/tableSchema';
import { appendEvent, type Clock } from './eventLog';
import { EventStore, type Place, type StoredEvent } from './eventStore';
import { placeCursor, shardOf } from './feedPartitions';
import { eventOf, type Image } from './popEvents';
import { createQueueClient } from '../clients/queueClient';
import { heldTurnOf, queueHoldTimer, type HoldTimer } from '../pops/holdTimer';
import { enqueueDeliveries, type Enqueuer } from '../webhooks/enqueue';
import { WebhookStore } from '../webhooks/webhookStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

/**
 * Pops handled at once within one batch. Each holds one DynamoDB request at a time, so 16 stays well inside the SDK's
 * default pool of 50 sockets, and at about 5 sequential calls of a few ms each a batch of 100 records takes a handful
 * of round-trip times instead of 500 (docs/capacity.md).
 */
export const STREAM_CONCURRENCY = 16;

export interface PopStreamDependencies {
  readonly events: EventStore;
  readonly clock: Clock;
  /** Events live as long as their pop: its TTL, or this retention from now when the image has none. */
  readonly retentionMs: number;
  /** Webhook deliveries queued after each appended event; absent: no webhooks (a stack without the queue). */
  readonly deliveries?: Enqueuer;
  /** Counts the records reported as failures (METRIC.streamRecordsFailed), which Lambda's Errors metric does not. */
  readonly metrics?: MetricsSink;
  /** @default STREAM_CONCURRENCY */
  readonly concurrency?: number;
  /** Started for each pop stored Held (lambdas/pops/holdTimer.ts); absent: no held pops' timer (a stack without it). */
  readonly holdTimer?: HoldTimer;
}

type StreamImage = Record<string, AttributeValue> | undefined;
const image = (raw: unknown): Image | undefined => (raw ? unmarshall(raw as NonNullable<StreamImage>) : undefined);
const sequenceOf = (record: DynamoDBRecord): string => record.dynamodb?.SequenceNumber ?? '';

/** The batch's records by item, each group in stream order, groups in the order of their first record. */
export function groupByItem(records: readonly DynamoDBRecord[]): DynamoDBRecord[][] {
  const groups = new Map<string, DynamoDBRecord[]>();
  for (const record of records) {
    const key = JSON.stringify(record.dynamodb?.Keys ?? sequenceOf(record));
    const group = groups.get(key);
    if (group) group.push(record);
    else groups.set(key, [record]);
  }
  return [...groups.values()];
}

/** Run `work` over `items`, at most `limit` at once. */
export async function forEachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}

/** The webhook list of each tenant read once for this batch (a failed read is not kept: the next record reads again). */
function oncePerBatch(deliveries: Enqueuer): Enqueuer {
  const lists = new Map<string, ReturnType<Enqueuer['webhooks']['list']>>();
  const list = (tenant: string) => {
    const known = lists.get(tenant);
    if (known) return known;
    const read = deliveries.webhooks.list(tenant);
    lists.set(tenant, read);
    read.catch(() => lists.delete(tenant));
    return read;
  };
  return { ...deliveries, webhooks: { list } };
}

/** A record and the event it is, if any, with the event's expiry. */
interface Change {
  readonly record: DynamoDBRecord;
  readonly event?: StoredEvent;
  readonly expiresAt: number;
}

function changeOf(deps: PopStreamDependencies, record: DynamoDBRecord): Change {
  const newImage = image(record.dynamodb?.NewImage);
  const event = eventOf(image(record.dynamodb?.OldImage), newImage);
  const ttl = newImage?.[TABLE_KEYS.ttlAttribute];
  const expiresAt = typeof ttl === 'number' ? ttl : epochSeconds(deps.clock.now() + deps.retentionMs);
  return { record, ...(event ? { event } : {}), expiresAt };
}

/**
 * One counter update per tenant and shard for the batch's events (feedPartitions.ts: a pop's events in one shard),
 * places in stream order; none when the update fails.
 */
async function reservePlaces(deps: PopStreamDependencies, changes: readonly Change[]): Promise<Map<Change, Place>> {
  const byCounter = new Map<string, { tenant: string; shard: number; mine: Change[] }>();
  for (const change of changes) {
    if (!change.event) continue;
    const shard = shardOf(change.event.PopId);
    const key = JSON.stringify([change.event.Tenant, shard]);
    const counter = byCounter.get(key) ?? { tenant: change.event.Tenant, shard, mine: [] };
    counter.mine.push(change);
    byCounter.set(key, counter);
  }
  const places = new Map<Change, Place>();
  await Promise.all(
    [...byCounter.values()].map(async ({ tenant, shard, mine }) => {
      const first = await deps.events.allocateRange(tenant, shard, mine.length).catch(() => undefined);
      const allocatedAt = deps.clock.now();
      if (first === undefined) return;
      mine.forEach((change, i) => places.set(change, { partition: shard, seq: first + i, allocatedAt }));
    }),
  );
  return places;
}

/**
 * One change: its event appended and its deliveries queued; its place (null: no event), or undefined when it failed.
 * A delivery's Cursor names the event's place alone (feedPartitions.ts: GET /events from it misses nothing after it).
 */
async function handleChange(
  deps: PopStreamDependencies,
  change: Change,
  reserved: Place | undefined,
  deliveries?: Enqueuer,
): Promise<Place | null | undefined> {
  const { event } = change;
  if (!event) return null;
  try {
    const place = await appendEvent(deps.events, event, change.expiresAt, deps.clock, reserved);
    const { Tenant: tenant, ...rest } = event;
    const cursor = placeCursor(place.partition, place.seq);
    if (deliveries) await enqueueDeliveries(deliveries, tenant, { Cursor: cursor, ...rest });
    // A pop stored Held: its deadline's timer, retried with this record if it cannot be started (holdTimer.ts).
    const turn = event.Status === 'Held' ? heldTurnOf(image(change.record.dynamodb?.NewImage)) : undefined;
    if (turn && deps.holdTimer) await deps.holdTimer.start(turn);
    return place;
  } catch (error) {
    baseLogger.error('An event could not be written; the stream retries from it', {
      eventId: event.EventId,
      sequenceNumber: sequenceOf(change.record),
      reason: (error as Error).message,
    });
    return undefined;
  }
}

export function makePopStreamHandler(deps: PopStreamDependencies) {
  const metrics = deps.metrics ?? noMetrics;
  return async (streamEvent: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    const deliveries = deps.deliveries ? oncePerBatch(deps.deliveries) : undefined;
    const changes = new Map(streamEvent.Records.map((record) => [record, changeOf(deps, record)]));
    const places = await reservePlaces(deps, [...changes.values()]);
    const failed: DynamoDBRecord[] = [];
    await forEachLimited(groupByItem(streamEvent.Records), deps.concurrency ?? STREAM_CONCURRENCY, async (group) => {
      let last: Place | undefined;
      for (const record of group) {
        const change = changes.get(record)!;
        // A place reserved before an earlier event of this pop was moved past it would put this one first: not used.
        // (One in the legacy partition is read before every shard: no order to keep against it.)
        const reserved = places.get(change);
        const usable = reserved && (last?.partition !== reserved.partition || reserved.seq > last.seq);
        const place = await handleChange(deps, change, usable ? reserved : undefined, deliveries);
        if (place === undefined) {
          failed.push(record);
          return;
        }
        if (place && (last?.partition !== place.partition || place.seq > last.seq)) last = place;
      }
    });
    metrics.count({ [METRIC.streamRecordsFailed]: failed.length });
    const order = (record: DynamoDBRecord) => streamEvent.Records.indexOf(record);
    failed.sort((a, b) => order(a) - order(b));
    return { batchItemFailures: failed.map((record) => ({ itemIdentifier: sequenceOf(record) })) };
  };
}

export const popStreamDependencies = (
  settings: Pick<Settings, 'tableName' | 'popRetentionDays' | 'region' | 'webhookQueueUrl' | 'holdQueueUrl'>,
  clients: Pick<AwsClients, 'db' | 'queue' | 'holdQueue'>,
  metrics: MetricsSink = noMetrics,
): PopStreamDependencies => ({
  events: new EventStore(clients.db, settings.tableName),
  clock: { now: Date.now },
  retentionMs: settings.popRetentionDays * 24 * 60 * 60 * 1000,
  metrics,
  ...(settings.webhookQueueUrl
    ? {
        deliveries: {
          webhooks: new WebhookStore(clients.db, settings.tableName),
          queue: clients.queue ?? createQueueClient(settings),
          queueUrl: settings.webhookQueueUrl,
        },
      }
    : {}),
  ...(settings.holdQueueUrl
    ? {
        holdTimer: queueHoldTimer(
          clients.holdQueue ?? createQueueClient({ region: settings.region, webhookQueueUrl: settings.holdQueueUrl }),
          settings.holdQueueUrl,
        ),
      }
    : {}),
});
