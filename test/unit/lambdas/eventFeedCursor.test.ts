/** The feed's cursors (lambdas/events/feedPartitions.ts) and GET /events' parameters (eventsHandler.ts). */
import fc from 'fast-check';
import {
  EVENT_FEED_SHARDS,
  FEED_START,
  formatCursor,
  parseCursor,
  placeCursor,
  shardOf,
} from '../../../lambdas/events/feedPartitions';
import { pageRequest } from '../../../lambdas/events/eventsHandler';

const place = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999_999_999_999_999 }));

describe('feed cursors', () => {
  it('reads a cursor from before the feed was sharded as that place of the legacy partition, every shard at its start', () => {
    expect(parseCursor('0')).toEqual(FEED_START);
    expect(parseCursor('42')).toEqual({ legacy: 42, shards: FEED_START.shards });
    // and hands it back unchanged when nothing is new
    expect(formatCursor(parseCursor('42')!)).toBe('42');
  });

  it('writes every cursor back as it reads it, trailing zeros left out', () => {
    fc.assert(
      fc.property(place, fc.array(place, { minLength: EVENT_FEED_SHARDS, maxLength: EVENT_FEED_SHARDS }), (l, s) => {
        const cursor = { legacy: l, shards: s };
        const text = formatCursor(cursor);
        expect(parseCursor(text)).toEqual(cursor);
        expect(text.endsWith('.0')).toBe(false);
      }),
    );
    expect(parseCursor('7.1.0')).toEqual(parseCursor('7.1'));
  });

  it('refuses what the feed never hands out', () => {
    for (const bad of ['', '-1', '01', '1.', '.1', '1..2', 'abc', '1e3', '1234567890123456', '0.0.0.0.0.1'])
      expect(parseCursor(bad)).toBeUndefined();
    expect(pageRequest({ after: '0.0.0.0.0.1' })).toEqual(['after: must be a Cursor from an earlier answer']);
    expect(pageRequest({ after: '3.0.5', limit: '10' })).toEqual({ after: parseCursor('3.0.5'), limit: 10 });
    expect(pageRequest(null)).toEqual({ after: FEED_START, limit: 100 });
  });

  it("names one place alone for a webhook delivery: the legacy partition's as the old number", () => {
    expect(placeCursor('legacy', 9)).toBe('9');
    expect(placeCursor(0, 9)).toBe('0.9');
    expect(placeCursor(EVENT_FEED_SHARDS - 1, 9)).toBe(`0${'.0'.repeat(EVENT_FEED_SHARDS - 1)}.9`);
  });

  it("spreads a tenant's pops over the shards, each pop always to the same one", () => {
    const counts = Array.from({ length: EVENT_FEED_SHARDS }, () => 0);
    for (let n = 0; n < 4000; n++) counts[shardOf(`pop-${n}`)]!++;
    for (const count of counts) expect(count).toBeGreaterThan(800);
    expect(shardOf('pop-1')).toBe(shardOf('pop-1'));
  });
});
