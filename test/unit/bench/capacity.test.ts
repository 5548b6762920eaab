/**
 * docs/capacity.md's table is the one bench/capacity.ts computes from the code's constants (stream batch size,
 * concurrency, parallelization, the stack's default throttle) and AWS's quotas, so a changed constant changes the page
 * or fails here; and the figures issue 23 must hold.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { capacityRows, capacityTable, streamRecordsPerShard } from '../../../bench/capacity';

const page = readFileSync(path.resolve(__dirname, '../../../docs/capacity.md'), 'utf8');

test("the page's table is the computed one", () => {
  const shown = /<!-- capacity-table:start -->\n\n([\s\S]*?)\n\n<!-- capacity-table:end -->/.exec(page)?.[1];
  expect(shown).toBe(capacityTable());
});

test('the stream consumer is never the bottleneck: at least 150 pops/s per shard, above what a partition writes', () => {
  const rows = capacityRows();
  const after = rows.find((r) => r.ceiling.startsWith('Stream consumer, after'))!;
  const partition = rows.find((r) => r.ceiling.startsWith('Pop writes one table partition'))!;
  expect(after.value).toBeGreaterThanOrEqual(150);
  expect(after.value).toBeGreaterThan(partition.value);
  expect(streamRecordsPerShard(true)).toBeGreaterThan(10 * streamRecordsPerShard(false));
});

test('no single partition per tenant binds first: one tenant sustains 3,000 events/s, 1,000 pops/s (issue 23)', () => {
  const rows = capacityRows();
  expect(rows.find((r) => r.ceiling.startsWith('Events of one tenant'))!.value).toBeGreaterThanOrEqual(3_000);
  expect(rows.find((r) => r.ceiling.startsWith('Pops of one tenant'))!.value).toBeGreaterThanOrEqual(1_000);
});
