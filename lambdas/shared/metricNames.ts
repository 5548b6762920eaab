/** The metrics' names and dimensions (see metrics.ts), shared by the Lambdas and the stack's dashboard. */

/** The variable Powertools Metrics reads its namespace from; the stack sets it per deployment. */
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
  /** Stream records the popStream function reported as failed (retried; lib/eventPipeline.ts alarms on it). */
  streamRecordsFailed: 'StreamRecordsFailed',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The one dimension of each dimensioned metric. */
export const METRIC_DIMENSION = { [METRIC.popsRefused]: 'Reason', [METRIC.acks]: 'Status' } as const;
