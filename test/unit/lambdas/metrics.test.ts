import {
  DEFAULT_METRICS_NAMESPACE,
  METRIC,
  METRICS_NAMESPACE_ENV,
  noMetrics,
  powertoolsMetrics,
} from '../../../lambdas/shared/metrics';

/** The EMF lines written to stdout while `act` runs. */
function linesOf(act: () => void): Record<string, any>[] {
  const lines: string[] = [];
  const write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    write.mockRestore();
  }
  return lines
    .join('')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

describe('powertoolsMetrics (CloudWatch Embedded Metric Format through Powertools Metrics)', () => {
  test('one count is one EMF line: _aws with Timestamp (ms) and one directive, the value and dimension at top level', () => {
    // GIVEN a sink for one namespace
    const metrics = powertoolsMetrics('RemotePop/Test');
    // WHEN
    const [line, ...more] = linesOf(() => metrics.count({ [METRIC.popsRefused]: 1 }, { Reason: 'AgentNotOnDesktop' }));
    // THEN the dimension is exactly the one the dashboard uses (no Powertools `service` dimension)
    expect(more).toEqual([]);
    expect(line).toEqual({
      _aws: {
        Timestamp: expect.any(Number),
        CloudWatchMetrics: [
          { Namespace: 'RemotePop/Test', Dimensions: [['Reason']], Metrics: [{ Name: 'PopsRefused', Unit: 'Count' }] },
        ],
      },
      Reason: 'AgentNotOnDesktop',
      PopsRefused: 1,
    });
    expect(Math.abs(line!._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  test('without dimensions: no dimension set (the metric itself, as Powertools writes it)', () => {
    const [line] = linesOf(() => powertoolsMetrics('N').count({ [METRIC.popsAccepted]: 1 }));
    expect(line!._aws.CloudWatchMetrics[0].Dimensions).toEqual([]);
    expect(line!.PopsAccepted).toBe(1);
  });

  test('metadata (request id, tenant) rides along without becoming a dimension', () => {
    const [line] = linesOf(() =>
      powertoolsMetrics('N').count({ [METRIC.acks]: 1 }, { Status: 'Delivered' }, { requestId: 'req-1' }),
    );
    expect(line).toMatchObject({ requestId: 'req-1', Status: 'Delivered', Acks: 1 });
    expect(line!._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Status']]);
  });

  test('counts of different dimensions never share a line, even back to back', () => {
    const metrics = powertoolsMetrics('N');
    const lines = linesOf(() => {
      metrics.count({ [METRIC.acks]: 1 }, { Status: 'Opened' });
      metrics.count({ [METRIC.popsPushed]: 2 });
    });
    expect(lines.map((line) => line._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['Status']], []]);
    expect(lines[1]).not.toHaveProperty('Status');
  });

  test('counts given together share one line and its dimension; a zero among them is left out', () => {
    const [line, ...more] = linesOf(() =>
      powertoolsMetrics('N').count({ [METRIC.popsAccepted]: 1, [METRIC.popsPushed]: 2, [METRIC.popsRefused]: 0 }),
    );
    expect(more).toEqual([]);
    expect(line!._aws.CloudWatchMetrics[0].Metrics).toEqual([
      { Name: 'PopsAccepted', Unit: 'Count' },
      { Name: 'PopsPushed', Unit: 'Count' },
    ]);
    expect(line).toMatchObject({ PopsAccepted: 1, PopsPushed: 2 });
    expect(line).not.toHaveProperty('PopsRefused');
  });

  test('namespace: the one given (POWERTOOLS_METRICS_NAMESPACE, set by the stack), RemotePop otherwise', () => {
    expect(METRICS_NAMESPACE_ENV).toBe('POWERTOOLS_METRICS_NAMESPACE');
    const [line] = linesOf(() => powertoolsMetrics().count({ [METRIC.acks]: 1 }, { Status: 'Failed' }));
    expect(line!._aws.CloudWatchMetrics[0].Namespace).toBe(DEFAULT_METRICS_NAMESPACE);
  });

  test('a zero count writes nothing (no empty data points); noMetrics writes nothing at all', () => {
    expect(linesOf(() => powertoolsMetrics('N').count({ [METRIC.staleConnectionsRemoved]: 0 }))).toEqual([]);
    expect(linesOf(() => noMetrics.count({ [METRIC.popsAccepted]: 1 }))).toEqual([]);
  });
});
