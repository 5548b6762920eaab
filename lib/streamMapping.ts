/**
 * How the table's stream feeds the popStream function: the event source mapping's settings, shared by the stack
 * (lib/eventPipeline.ts) and the local stream emulation (local/streams/streamDispatcher.ts). No CDK import: the local
 * stack and the capacity test (docs/capacity.md) read it.
 */

/** Records per invocation (Lambda's default for DynamoDB streams). */
export const STREAM_BATCH_SIZE = 100;

/**
 * Retries of a failing batch before Lambda gives it up to the on-failure queue. With bisecting, a batch that fails
 * whole is halved on each failure, so 10 tries isolate one poison record among 100 (7 halvings) and still retry it;
 * a record that fails on its own (ReportBatchItemFailures) is retried from itself. A shard is blocked for the length of
 * 10 retries, not for the stream's 24 hours.
 */
export const STREAM_RETRY_ATTEMPTS = 10;

/**
 * A record older than this is given up at once (a backlog behind an outage): an hour leaves 23 of the stream's 24
 * hours to replay it from the stream (`npm run provision -- events replay`, lambdas/events/streamReplay.ts).
 */
export const STREAM_MAX_RECORD_AGE_SECONDS = 3600;

/** The stream keeps a record 24 hours after its write (DynamoDB Streams' fixed retention). */
export const STREAM_RETENTION_SECONDS = 24 * 3600;

/** The IteratorAge alarm: the oldest record waiting is older than this (the feed and webhooks lag by as much). */
export const ITERATOR_AGE_ALARM_SECONDS = 60;

/**
 * Concurrent batches per shard (Lambda keeps each item's records in order at any factor). The feed takes writers in
 * parallel (lambdas/events/eventLog.ts), so the factor costs nothing in correctness; 10, the maximum, multiplies a
 * shard's throughput by 10 and costs nothing idle (invocations follow records). The stack setting
 * `streamParallelizationFactor` lowers it (lib/stackSettings.ts).
 */
export const DEFAULT_STREAM_PARALLELIZATION = 10;
