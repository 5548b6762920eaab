/**
 * The per-tenant event feed, kept whole under concurrent writers without transactions (dynalite has none, and the
 * stream is ordered per item only, so writers of one tenant run in parallel on different shards). The feed is spread
 * over partitions (feedPartitions.ts): each pop's events in one shard, chosen from its PopId; what follows holds in
 * each partition, and a reader holds a place in each.
 *
 * Writing an event (the stream handler, once per status change, maybe again on a retry):
 * 1. its place: `EVKEY` item for the event id, or a new number from its shard's counter, claimed conditionally, so a
 *    retried stream record reuses the place of its first attempt and never appends a duplicate (the stream handler
 *    takes the numbers of a batch's events of one tenant in one counter update and claims each without reading
 *    first; a number whose claim loses to an existing place stays a gap);
 * 2. fill the slot at that place conditionally. If a reader closed the slot as a gap meanwhile (below), move the event
 *    to a new place and fill that one.
 * A number taken from the counter whose claim lost (a racing duplicate) or whose writer died stays empty: a gap.
 *
 * Reading (GET /events): in each partition, slots after the cursor's place there, in order. A gap is waited for while the slot after it is younger than
 * the settle window (its writer may be between steps 1 and 2); after that the reader closes it with a conditional
 * write, which either wins (the late writer's fill then fails and it moves its event after the cursor) or loses (the
 * event is there: read it). So a cursor never passes a place an event can still appear at, whatever the clocks; the
 * settle window only bounds how long a reader waits behind a dead writer. Gaps older than the stream's retention plus
 * a Lambda timeout can no longer be filled (no record is left to retry) and are skipped without a write, which is also
 * what TTL deletion of old events leaves.
 */
import type { EventsPage, PopEvent } from '../../contract/events';
import type { EventStore, Place, Slot, StoredEvent } from './eventStore';
import { formatCursor, shardOf, type FeedCursor, type Partition } from './feedPartitions';

/** How long a gap is waited for before a reader closes it. */
export const SETTLE_MS = 10_000;
/** DynamoDB Streams keeps records 24 hours; a Lambda runs 15 minutes at most. */
export const WRITER_HORIZON_MS = (24 * 60 + 15) * 60 * 1000;
const MAX_ROUNDS = 10;

export interface Clock {
  readonly now: () => number;
}

/**
 * The event's place: the one it already has, else `reserved` (a number the caller took for it beforehand, claimed
 * without reading first: one round trip less; lost to a place the event already has, it stays a gap), else none.
 * A place taken before the feed was sharded is kept: it is in the legacy partition.
 */
async function placeOf(store: EventStore, event: StoredEvent, expiresAt: number, reserved?: Place) {
  if (reserved && (await store.claimPlace(event.Tenant, event.EventId, reserved, expiresAt))) return reserved;
  return store.readPlace(event.Tenant, event.EventId);
}

/**
 * Append an event once; returns its place. Retrying with the same event is safe and appends nothing new. `reserved`:
 * a place in the event's shard taken for it with others in one counter update (streamHandler.ts), tried first.
 */
export async function appendEvent(
  store: EventStore,
  event: StoredEvent,
  expiresAt: number,
  clock: Clock,
  reserved?: Place,
): Promise<Place> {
  const tenant = event.Tenant;
  const shard = shardOf(event.PopId);
  const fresh = async () => ({ partition: shard, seq: await store.allocate(tenant, shard), allocatedAt: clock.now() });
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let place = await placeOf(store, event, expiresAt, round === 0 ? reserved : undefined);
    if (!place) {
      const taken = await fresh();
      if (!(await store.claimPlace(tenant, event.EventId, taken, expiresAt))) continue;
      place = taken;
    }
    const slot = { seq: place.seq, kind: 'event' as const, allocatedAt: place.allocatedAt, expiresAt, event };
    if (await store.fillSlot(tenant, place.partition, slot)) return place;
    const found = await store.getSlot(tenant, place.partition, place.seq);
    if (found?.kind === 'event' && found.event.EventId === event.EventId) return place;
    // A reader closed the slot as a gap: this event goes after every cursor handed out so far, in its shard.
    await store.movePlace(tenant, event.EventId, place, await fresh());
  }
  throw new Error('The event could not be given a place in the feed');
}

export interface ReadOptions {
  readonly limit: number;
  readonly settleMs?: number;
}

type EventSlot = Slot & { kind: 'event' };

const toEvent = (slot: EventSlot, cursor: FeedCursor): PopEvent => {
  const { Tenant: _tenant, ...event } = slot.event;
  return { Cursor: formatCursor(cursor), ...event };
};

/** One partition of one tenant's feed. */
interface Part {
  readonly store: EventStore;
  readonly tenant: string;
  readonly partition: Partition;
}

/** Close gaps `from`..`to` (inclusive); false when an event took one of them first (read again from there). */
async function closeGaps(part: Part, from: number, to: number, expiresAt: number, now: number): Promise<boolean> {
  for (let seq = from; seq <= to; seq++) {
    const gap = { seq, kind: 'gap' as const, allocatedAt: now, expiresAt };
    if (!(await part.store.fillSlot(part.tenant, part.partition, gap))) return false;
  }
  return true;
}

/** What to do with the gap before `slot`: wait at it, read again, or go on past it. */
async function passGap(part: Part, expected: number, slot: Slot, clock: Clock, settleMs: number) {
  const age = clock.now() - slot.allocatedAt;
  if (age < settleMs) return 'wait' as const;
  if (age > WRITER_HORIZON_MS) return 'pass' as const;
  return (await closeGaps(part, expected, slot.seq - 1, slot.expiresAt, clock.now()))
    ? ('pass' as const)
    : ('reread' as const);
}

/**
 * What one partition's read ended on: `full` (it took `want` events, maybe more are there), `end` (nothing more is
 * there yet), `wait` (at a gap still settling, or out of rounds).
 */
interface PartRead {
  readonly events: EventSlot[];
  readonly position: number;
  readonly ended: 'full' | 'end' | 'wait';
}

/** The events of one partition after `after`, oldest first, at most `want`, and the place reached. */
async function readPart(part: Part, after: number, want: number, clock: Clock, settleMs: number): Promise<PartRead> {
  const events: EventSlot[] = [];
  let cursor = after;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const batch = Math.min(want * 2, 200);
    const slots = await part.store.slotsAfter(part.tenant, part.partition, cursor, batch);
    let reread = false;
    for (const slot of slots) {
      if (slot.seq > cursor + 1) {
        const gap = await passGap(part, cursor + 1, slot, clock, settleMs);
        if (gap === 'wait') return { events, position: cursor, ended: 'wait' };
        reread = gap === 'reread';
        if (reread) break;
      }
      // An event past its retention (TTL deletes late) is passed over like a gap.
      if (slot.kind === 'event' && slot.expiresAt * 1000 > clock.now()) events.push(slot);
      cursor = slot.seq;
      if (events.length === want) return { events, position: cursor, ended: 'full' };
    }
    if (!reread && slots.length < batch) return { events, position: cursor, ended: 'end' };
  }
  return { events, position: cursor, ended: 'wait' };
}

/**
 * The shards' events after `start`, at most `want` in all: each shard is asked for its share, and those that had
 * their share again for what the others did not use, so a page reads about as many slots as it returns.
 */
async function readShards(
  parts: readonly Part[],
  start: readonly number[],
  want: number,
  clock: Clock,
  settleMs: number,
): Promise<PartRead[]> {
  const reads: PartRead[] = start.map((position) => ({ events: [], position, ended: 'full' }));
  let open = parts.map((_, shard) => shard);
  let remaining = want;
  while (remaining > 0 && open.length > 0) {
    const share = Math.ceil(remaining / open.length);
    const more = await Promise.all(
      open.map((shard) => readPart(parts[shard]!, reads[shard]!.position, share, clock, settleMs)),
    );
    more.forEach((read, i) => {
      const shard = open[i]!;
      reads[shard] = { ...read, events: [...reads[shard]!.events, ...read.events] };
      remaining -= read.events.length;
    });
    open = open.filter((shard) => reads[shard]!.ended === 'full');
  }
  return reads;
}

/**
 * The shards' events as one page: merged by when their places were taken (each shard's own order kept), at most
 * `want`. Each event's cursor is every place reached up to it; the page's cursor also passes the gaps a shard read
 * closed after its last event taken.
 */
function mergeShards(reads: readonly PartRead[], legacy: number, start: readonly number[], want: number) {
  const taken = reads.map(() => 0);
  const at = [...start];
  const events: PopEvent[] = [];
  const head = (shard: number) => reads[shard]!.events[taken[shard]!];
  while (events.length < want) {
    let next: number | undefined;
    for (let shard = 0; shard < reads.length; shard++) {
      const slot = head(shard);
      if (slot && (next === undefined || slot.allocatedAt < head(next)!.allocatedAt)) next = shard;
    }
    if (next === undefined) break;
    const slot = head(next)!;
    taken[next]!++;
    at[next] = slot.seq;
    events.push(toEvent(slot, { legacy, shards: at }));
  }
  const shards = reads.map((read, shard) => (taken[shard] === read.events.length ? read.position : at[shard]!));
  return { events, cursor: { legacy, shards } };
}

/**
 * The events after `after`, at most `limit`; the cursor to continue from. The legacy partition's events come first,
 * and shards' only once it is read to its end. The shards are read before it: an event in a shard was appended after
 * its pop's earlier event was written (streamHandler.ts), also one in the legacy partition, so a read of the legacy
 * partition that starts after the shards' read sees that earlier event (a pop's events stay in order across the
 * upgrade, even with a writer of the old code still at work).
 */
export async function readEvents(
  store: EventStore,
  tenant: string,
  after: FeedCursor,
  options: ReadOptions,
  clock: Clock,
): Promise<EventsPage> {
  const settleMs = options.settleMs ?? SETTLE_MS;
  const parts = after.shards.map((_, shard): Part => ({ store, tenant, partition: shard }));
  const reads = await readShards(parts, after.shards, options.limit, clock, settleMs);
  const legacy = await readPart({ store, tenant, partition: 'legacy' }, after.legacy, options.limit, clock, settleMs);
  const events = legacy.events.map((slot) => toEvent(slot, { legacy: slot.seq, shards: after.shards }));
  if (legacy.ended !== 'end' || events.length === options.limit) {
    return { Events: events, Cursor: formatCursor({ legacy: legacy.position, shards: after.shards }) };
  }
  const merged = mergeShards(reads, legacy.position, after.shards, options.limit - events.length);
  return { Events: [...events, ...merged.events], Cursor: formatCursor(merged.cursor) };
}
