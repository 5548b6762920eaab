/**
 * Business metrics, written as CloudWatch Embedded Metric Format (EMF) lines by Powertools Metrics: CloudWatch Logs
 * turns each line into a data point, with no API call and no added latency. The stack (lib/observability.ts) builds
 * its dashboard and alarms from the same names and dimensions, so each metric carries exactly the dimension listed in
 * METRIC_DIMENSION (Powertools' default `service` dimension is removed: it would split every series).
 * The names live in metricNames.ts, which the stack imports without pulling the Powertools package into it.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { DEFAULT_METRICS_NAMESPACE, type MetricName } from './metricNames';

export * from './metricNames';

/** What a handler counts with; injected, so tests and the local gateway can record or silence it. */
export interface MetricsSink {
  /**
   * Count each value under its name, with the dimension, if any; `metadata` (request id, tenant...) rides along
   * unindexed. Counts given together share one EMF line (the pop's two counts cost one line, not two).
   */
  count(
    counts: Readonly<Partial<Record<MetricName, number>>>,
    dimensions?: Readonly<Record<string, string>>,
    metadata?: Readonly<Record<string, string>>,
  ): void;
}

/**
 * One Powertools Metrics instance per function. Each call is published at once as its own line: adding and publishing
 * in one synchronous step keeps concurrent invocations (handlers sharing one event loop) from mixing dimensions.
 * A zero is not written.
 */
export function powertoolsMetrics(namespace: string = DEFAULT_METRICS_NAMESPACE): MetricsSink {
  const metrics = new Metrics({ namespace });
  metrics.clearDefaultDimensions();
  return {
    count(counts, dimensions = {}, metadata = {}) {
      const written = Object.entries(counts).filter(([, value]) => value !== undefined && value !== 0);
      if (written.length === 0) return;
      for (const [key, dimension] of Object.entries(dimensions)) metrics.addDimension(key, dimension);
      for (const [key, data] of Object.entries(metadata)) metrics.addMetadata(key, data);
      for (const [name, value] of written) metrics.addMetric(name, MetricUnit.Count, value!);
      metrics.publishStoredMetrics();
    },
  };
}

/** Counts nothing (metrics switched off, as in a local stack that logs only warnings). */
export const noMetrics: MetricsSink = { count: () => undefined };
