import { baseLogger, requestLogger } from '../../../lambdas/shared/logger';
import { countMetric, DEFAULT_METRICS_NAMESPACE, emfRecord, METRIC, METRICS_NAMESPACE_ENV } from '../../../lambdas/shared/metrics';

describe('emfRecord', () => {
  test('is a CloudWatch Embedded Metric Format record: _aws with Timestamp (ms) and one metric directive', () => {
    // WHEN
    const record = emfRecord(METRIC.popsRefused, 1, { Reason: 'AgentNotOnDesktop' }, 1_700_000_000_000, 'RemotePop/Test');
    // THEN the value and the dimension sit at the top level, named as the directive says
    expect(record).toEqual({
      _aws: {
        Timestamp: 1_700_000_000_000,
        CloudWatchMetrics: [
          { Namespace: 'RemotePop/Test', Dimensions: [['Reason']], Metrics: [{ Name: 'PopsRefused', Unit: 'Count' }] },
        ],
      },
      Reason: 'AgentNotOnDesktop',
      PopsRefused: 1,
    });
  });

  test('without dimensions: one empty dimension set (the metric itself)', () => {
    const record = emfRecord(METRIC.popsAccepted, 1, {}, 1, 'N') as { _aws: { CloudWatchMetrics: { Dimensions: unknown }[] } };
    expect(record._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[]]);
  });

  test('namespace from POWERTOOLS_METRICS_NAMESPACE (set by the stack), RemotePop otherwise', () => {
    const saved = process.env[METRICS_NAMESPACE_ENV];
    try {
      delete process.env[METRICS_NAMESPACE_ENV];
      expect(JSON.stringify(emfRecord(METRIC.acks, 1))).toContain(`"Namespace":"${DEFAULT_METRICS_NAMESPACE}"`);
      process.env[METRICS_NAMESPACE_ENV] = 'RemotePop/Prod';
      expect(JSON.stringify(emfRecord(METRIC.acks, 1))).toContain('"Namespace":"RemotePop/Prod"');
    } finally {
      if (saved === undefined) delete process.env[METRICS_NAMESPACE_ENV];
      else process.env[METRICS_NAMESPACE_ENV] = saved;
    }
  });
});

describe('countMetric through the Powertools logger', () => {
  let lines: string[];
  let write: jest.SpyInstance;
  beforeAll(() => {
    // Metric lines are INFO lines; the unit tests otherwise log from Warn up (jest.config.js).
    baseLogger.setLogLevel('INFO');
  });
  beforeEach(() => {
    lines = [];
    write = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  });
  afterEach(() => write.mockRestore());

  test('writes one JSON line that is both a log line (request keys) and an EMF record', () => {
    // GIVEN a request logger with the keys of a pop
    const log = requestLogger({ awsRequestId: 'req-1' }, { tenant: 'acme', popId: 'p-1' });
    // WHEN
    countMetric(log, METRIC.acks, 1, { Status: 'Delivered' });
    // THEN
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0]!);
    expect(line).toMatchObject({ level: 'INFO', requestId: 'req-1', tenant: 'acme', popId: 'p-1', Status: 'Delivered', Acks: 1 });
    expect(line._aws.CloudWatchMetrics[0]).toEqual({
      Namespace: expect.any(String),
      Dimensions: [['Status']],
      Metrics: [{ Name: 'Acks', Unit: 'Count' }],
    });
    expect(typeof line._aws.Timestamp).toBe('number');
  });

  test('a zero count writes nothing (no empty data points)', () => {
    countMetric(requestLogger(undefined), METRIC.staleConnectionsRemoved, 0);
    expect(lines).toEqual([]);
  });
});
