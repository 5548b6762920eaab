import fc from 'fast-check';
import MnemonistLRUCache from 'mnemonist/lru-cache';
import LRUCache from '../../../lambdas/bundling/lruCache';

type Call = { op: 'get' | 'set' | 'has' | 'peek' | 'clear'; key: number; value: number };

const call = fc.record({
  op: fc.constantFrom<Call['op']>('get', 'set', 'set', 'has', 'peek', 'clear'),
  key: fc.integer({ min: 0, max: 3 }),
  value: fc.integer(),
});

describe('the LRU cache that stands in for mnemonist/lru-cache in the Lambda bundles', () => {
  it('answers every call exactly as mnemonist does, for any sequence of calls and any capacity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.array(call, { minLength: 10, maxLength: 80, size: 'max' }),
        (capacity, calls) => {
          // GIVEN both caches of one capacity WHEN the same calls are made THEN every answer and the size match.
          const ours = new LRUCache<number, number>(capacity);
          const theirs = new MnemonistLRUCache<number, number>(capacity);
          for (const { op, key, value } of calls) {
            if (op === 'set') {
              ours.set(key, value);
              theirs.set(key, value);
            } else if (op === 'clear') {
              ours.clear();
              theirs.clear();
            } else {
              expect(ours[op](key)).toEqual(theirs[op](key));
            }
            expect(ours.size).toBe(theirs.size);
          }
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses a capacity that is not positive, as mnemonist does', () => {
    expect(() => new LRUCache(0)).toThrow(/capacity/);
  });
});
