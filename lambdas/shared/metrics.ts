import type { RequestLogger } from './logger';

/**
 * Business metrics as CloudWatch Embedded Metric Format (EMF): one JSON log line with an `_aws` member, written
 * through the request's Powertools logger, which CloudWatch Logs turns into a metric. No extra dependency, no API
 * call, no added latency; the line also carries the request id, tenant and PopId like every other line.
 * Metric lines are written at INFO: a log level above INFO (POWERTOOLS_LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL) drops them.
 * The stack (lib/observability.ts) builds its dashboard from the same names.
 */

/** The variable Powertools' own Metrics utility reads too, so a later switch to it keeps the namespace. */
export const METRICS_NAMESPACE_ENV = 'POWERTOOLS_METRICS_NAMESPACE';
export const DEFAULT_METRICS_NAMESPACE = 'RemotePop';

export const METRIC = {
  /** A new pop pushed to at least one connection (a repeat inside the claim window is not counted again). */
  popsAccepted: 'PopsAccepted',
  /** A POST /pop answered with an error, by `Reason` = the answer's Error.Code. */
  popsRefused: 'PopsRefused',
  /** Pop messages pushed to connections (one pop held by two instances counts 2). */
  popsPushed: 'PopsPushed',
  /** Connections found gone (410) while pushing, and removed with their presence. */
  staleConnectionsRemoved: 'StaleConnectionsRemoved',
  /** Acks that changed a pop's status, by `Status` (Delivered, Opened, Unchanged, Failed). */
  acks: 'Acks',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The one dimension of each dimensioned metric. */
export const METRIC_DIMENSION = { [METRIC.popsRefused]: 'Reason', [METRIC.acks]: 'Status' } as const;

/** The EMF record of one count (see the EMF specification: `_aws.Timestamp` in epoch ms, values at top level). */
export function emfRecord(
  name: MetricName,
  value: number,
  dimensions: Readonly<Record<string, string>> = {},
  now: number = Date.now(),
  namespace: string = process.env[METRICS_NAMESPACE_ENV] || DEFAULT_METRICS_NAMESPACE,
): Record<string, unknown> {
  return {
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [Object.keys(dimensions)], Metrics: [{ Name: name, Unit: 'Count' }] }],
    },
    ...dimensions,
    [name]: value,
  };
}

/** Count `value` of `name` (with its dimension, if any) on the request's log. A zero is not written. */
export function countMetric(
  log: Pick<RequestLogger, 'info'>,
  name: MetricName,
  value = 1,
  dimensions: Readonly<Record<string, string>> = {},
): void {
  if (value === 0) return;
  log.info(`Metric ${name}`, emfRecord(name, value, dimensions));
}
