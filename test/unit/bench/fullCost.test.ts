/**
 * docs/cost.md's table is the one bench/fullCost.ts computes from bench/costModel.ts's prices and its named
 * assumptions, so a changed price or assumption changes the page or fails here.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { costLines, costTable, xrayPerMonth } from '../../../bench/fullCost';

const page = readFileSync(path.resolve(__dirname, '../../../docs/cost.md'), 'utf8');

test("the page's table is the computed one", () => {
  const shown = /<!-- cost-table:start -->\n\n([\s\S]*?)\n\n<!-- cost-table:end -->/.exec(page)?.[1];
  expect(shown).toBe(costTable());
});

test('the total is the sum of its lines, and X-Ray costs less per pop as the volume grows', () => {
  const lines = costLines();
  const total = lines.at(-1)!;
  for (let i = 0; i < total.perMillion.length; i++)
    expect(total.perMillion[i]).toBeCloseTo(
      lines.slice(0, -1).reduce((sum, l) => sum + l.perMillion[i]!, 0),
      6,
    );
  expect(xrayPerMonth(1e6) / 1).toBeGreaterThan(xrayPerMonth(1e8) / 100);
  expect(xrayPerMonth(0)).toBe(0);
});
