/**
 * The per-tenant event feed, kept whole under concurrent writers without transactions (dynalite has none, and the
 * stream is ordered per item only, so writers of one tenant run in parallel on different shards).
 *
 * Writing an event (the stream handler, once per status change, maybe again on a retry):
 * 1. its place: `EVKEY` item for the event id, or a new number from the tenant's counter, claimed conditionally, so a
 *    retried stream record reuses the place of its first attempt and never appends a duplicate (the stream handler
 *    takes the numbers of a batch's events of one tenant in one counter update and claims each without reading
 *    first; a number whose claim loses to an existing place stays a gap);
 * 2. fill the slot at that place conditionally. If a reader closed the slot as a gap meanwhile (below), move the event
 *    to a new place and fill that one.
 * A number taken from the counter whose claim lost (a racing duplicate) or whose writer died stays empty: a gap.
 *
 * Reading (GET /events): slots after the cursor, in order. A gap is waited for while the slot after it is younger than
 * the settle window (its writer may be between steps 1 and 2); after that the reader closes it with a conditional
 * write, which either wins (the late writer's fill then fails and it moves its event after the cursor) or loses (the
 * event is there: read it). So a cursor never passes a place an event can still appear at, whatever the clocks; the
 * settle window only bounds how long a reader waits behind a dead writer. Gaps older than the stream's retention plus
 * a Lambda timeout can no longer be filled (no record is left to retry) and are skipped without a write, which is also
 * what TTL deletion of old events leaves.
 */
import type { EventsPage, PopEvent } from '../../contract/events';
import type { EventStore, Place, Slot, StoredEvent } from './eventStore';

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
 */
async function placeOf(store: EventStore, event: StoredEvent, expiresAt: number, reserved?: Place) {
  if (reserved && (await store.claimPlace(event.Tenant, event.EventId, reserved, expiresAt))) return reserved;
  return store.readPlace(event.Tenant, event.EventId);
}

/**
 * Append an event once; returns its place. Retrying with the same event is safe and appends nothing new. `reserved`:
 * a place taken for it with others in one counter update (streamHandler.ts), tried first.
 */
export async function appendEvent(
  store: EventStore,
  event: StoredEvent,
  expiresAt: number,
  clock: Clock,
  reserved?: Place,
): Promise<number> {
  const tenant = event.Tenant;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    let place = await placeOf(store, event, expiresAt, round === 0 ? reserved : undefined);
    if (!place) {
      const fresh: Place = { seq: await store.allocate(tenant), allocatedAt: clock.now() };
      if (!(await store.claimPlace(tenant, event.EventId, fresh, expiresAt))) continue;
      place = fresh;
    }
    if (
      await store.fillSlot(tenant, { seq: place.seq, kind: 'event', allocatedAt: place.allocatedAt, expiresAt, event })
    )
      return place.seq;
    const slot = await store.getSlot(tenant, place.seq);
    if (slot?.kind === 'event' && slot.event.EventId === event.EventId) return place.seq;
    // A reader closed the slot as a gap: this event goes after every cursor handed out so far.
    await store.movePlace(tenant, event.EventId, place.seq, {
      seq: await store.allocate(tenant),
      allocatedAt: clock.now(),
    });
  }
  throw new Error('The event could not be given a place in the feed');
}

export interface ReadOptions {
  readonly limit: number;
  readonly settleMs?: number;
}

const toEvent = (slot: Slot & { kind: 'event' }): PopEvent => {
  const { Tenant: _tenant, ...event } = slot.event;
  return { Cursor: String(slot.seq), ...event };
};

/** Close gaps `from`..`to` (inclusive); false when an event took one of them first (read again from there). */
async function closeGaps(
  store: EventStore,
  tenant: string,
  from: number,
  to: number,
  expiresAt: number,
  now: number,
): Promise<boolean> {
  for (let seq = from; seq <= to; seq++) {
    if (!(await store.fillSlot(tenant, { seq, kind: 'gap', allocatedAt: now, expiresAt }))) return false;
  }
  return true;
}

/** What to do with the gap before `slot`: wait at it, read again, or go on past it. */
async function passGap(
  store: EventStore,
  tenant: string,
  expected: number,
  slot: Slot,
  clock: Clock,
  settleMs: number,
) {
  const age = clock.now() - slot.allocatedAt;
  if (age < settleMs) return 'wait' as const;
  if (age > WRITER_HORIZON_MS) return 'pass' as const;
  return (await closeGaps(store, tenant, expected, slot.seq - 1, slot.expiresAt, clock.now()))
    ? ('pass' as const)
    : ('reread' as const);
}

/** The events after `after`, oldest first, at most `limit`; the cursor to continue from. */
export async function readEvents(
  store: EventStore,
  tenant: string,
  after: number,
  options: ReadOptions,
  clock: Clock,
): Promise<EventsPage> {
  const settleMs = options.settleMs ?? SETTLE_MS;
  const events: PopEvent[] = [];
  let cursor = after;
  for (let round = 0; round < MAX_ROUNDS && events.length < options.limit; round++) {
    const batch = Math.min(options.limit * 2, 200);
    const slots = await store.slotsAfter(tenant, cursor, batch);
    let stop = slots.length < batch;
    for (const slot of slots) {
      if (slot.seq > cursor + 1) {
        const gap = await passGap(store, tenant, cursor + 1, slot, clock, settleMs);
        if (gap === 'wait') return { Events: events, Cursor: String(cursor) };
        if (gap === 'reread') {
          stop = false;
          break;
        }
      }
      // An event past its retention (TTL deletes late) is passed over like a gap.
      if (slot.kind === 'event' && slot.expiresAt * 1000 > clock.now()) events.push(toEvent(slot));
      cursor = slot.seq;
      if (events.length === options.limit) break;
    }
    if (stop) break;
  }
  return { Events: events, Cursor: String(cursor) };
}
