/**
 * The canary's two metrics as one CloudWatch Embedded Metric Format line, through Powertools Metrics as every function
 * of the stack writes its own (lambdas/shared/metrics.ts). Unlike that sink, a 0 is written: a failed run must be a data
 * point, or the alarm would see missing data instead of a failure.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { CANARY_METRIC, type CanaryMetrics } from './canary';

export function emfMetrics(namespace: string): CanaryMetrics {
  const metrics = new Metrics({ namespace });
  metrics.clearDefaultDimensions();
  return {
    publish(success, latencyMs) {
      metrics.addMetric(CANARY_METRIC.success, MetricUnit.Count, success ? 1 : 0);
      if (latencyMs !== undefined) metrics.addMetric(CANARY_METRIC.latency, MetricUnit.Milliseconds, latencyMs);
      metrics.publishStoredMetrics();
    },
  };
}
