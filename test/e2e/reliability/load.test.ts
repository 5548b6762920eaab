/**
 * Load with nothing lost, reduced size for `npm test` (the full 10,000 pops over 100 agents on 20 instances in 2
 * tenants run with `npm run test:load`, test/load/main.ts): 600 pops over 20 agents on 4 instances in 2 tenants,
 * 16 requests in flight. Every accepted pop arrives exactly once at the right instance and reaches Opened.
 */
import { describeReport, runPopLoad } from '../../load/popLoad';

jest.setTimeout(90_000);

describe('load with nothing lost (reduced)', () => {
  it('delivers every accepted pop exactly once to the right instance and every one reaches Opened', async () => {
    const report = await runPopLoad({
      pops: 600,
      agents: 20,
      instances: 4,
      tenants: 2,
      concurrency: 16,
      statusChecks: 600,
    });
    console.log(describeReport(report));
    expect(report.accepted).toBe(600);
    expect(report.refused).toEqual({});
    expect({
      delivered: report.delivered,
      duplicates: report.duplicates,
      misrouted: report.misrouted,
      unexpected: report.unexpected,
      missing: report.missing,
    }).toEqual({ delivered: 600, duplicates: 0, misrouted: 0, unexpected: 0, missing: 0 });
    expect(report.ackErrors).toBe(0);
    expect(report.statusChecked).toBe(600);
    expect(report.opened).toBe(600);
  });
});
