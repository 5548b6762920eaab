/**
 * Where a tenant's feed lives: EVENT_FEED_SHARDS shards, each its own counter and slots (lambdas/store/tableSchema.ts),
 * so no item or partition key takes every event of a tenant (docs/capacity.md). All the events of one pop go to the
 * same shard, chosen from its PopId, so a shard's order keeps each pop's order. The unsharded ("legacy") partition the
 * feed had before is still read, first, so events written before the upgrade are read once, in place.
 *
 * A cursor is a place in each: the legacy partition's, then one per shard. Written as decimals joined by dots with
 * trailing zeros left out, so a cursor from before the upgrade (one number: "the legacy partition at n") reads as that
 * place with every shard at its start, and a caller that resumes from it gets back the same string when nothing is new.
 */
import { EVENT_CURSOR_PATTERN, EVENT_FEED_SHARDS } from '../../contract/limits';

export { EVENT_FEED_SHARDS };

/** A shard of the feed (0 to EVENT_FEED_SHARDS - 1), or the unsharded partition written before the upgrade. */
export type Partition = number | 'legacy';

export interface FeedCursor {
  readonly legacy: number;
  /** One place per shard, EVENT_FEED_SHARDS of them. */
  readonly shards: readonly number[];
}

export const FEED_START: FeedCursor = { legacy: 0, shards: Array.from({ length: EVENT_FEED_SHARDS }, () => 0) };

/** The shard of a pop's events: FNV-1a of its PopId, so the shards share a tenant's pops evenly. */
export function shardOf(popId: string, shards = EVENT_FEED_SHARDS): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < popId.length; i++) hash = Math.imul(hash ^ popId.charCodeAt(i), 0x01000193);
  return (hash >>> 0) % shards;
}

/** A cursor a caller sent, or undefined when it is none this feed hands out. */
export function parseCursor(text: string): FeedCursor | undefined {
  if (!EVENT_CURSOR_PATTERN.test(text)) return undefined;
  const [legacy, ...named] = text.split('.').map(Number);
  return { legacy: legacy!, shards: FEED_START.shards.map((start, shard) => named[shard] ?? start) };
}

export function formatCursor(cursor: FeedCursor): string {
  const places = [cursor.legacy, ...cursor.shards];
  while (places.length > 1 && places.at(-1) === 0) places.pop();
  return places.join('.');
}

/** The cursor of one place alone: that place, every other partition at its start (a webhook delivery's Cursor). */
export function placeCursor(partition: Partition, seq: number): string {
  if (partition === 'legacy') return formatCursor({ ...FEED_START, legacy: seq });
  return formatCursor({ ...FEED_START, shards: FEED_START.shards.map((start, s) => (s === partition ? seq : start)) });
}
