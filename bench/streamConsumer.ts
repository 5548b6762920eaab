/**
 * The stream consumer's throughput (lambdas/events/streamHandler.ts), in a process of its own against the running
 * stack's dynalite (a process of its own too): the same records handled as the event source hands them over, before
 * (one record after another, the tenant's webhooks read for each event: what the handler did before it batched) and after
 * (batches of 100, pops concurrently, the webhook list once per tenant per batch). Reported: records per second, AWS
 * calls per record, and sequential round trips per record (waves: a call begun while another is in flight waits with
 * it, not after it). Input: BENCH_STREAM (JSON, StreamBenchInput).
 */
import '../local/sdkQuiet';
import { spawn } from 'child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { DynamoDBRecord } from 'aws-lambda';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { makePopStreamHandler, popStreamDependencies } from '../lambdas/events/streamHandler';
import { memoryOf } from '../lib/functionMemory';
import { DESIGN, streamRecordsPerShard } from './capacity';

export interface StreamBenchInput {
  readonly endpoint: string;
  readonly region: string;
  readonly tableName: string;
  /** A queue URL (no tenant of the bench has a webhook, so nothing is sent; the list is still read). */
  readonly webhookQueueUrl: string;
  readonly pops: number;
  readonly tenants: number;
  readonly resultFile: string;
}

export interface StreamVariant {
  readonly records: number;
  readonly seconds: number;
  readonly recordsPerSecond: number;
  readonly callsPerRecord: number;
  readonly sequentialRoundTripsPerRecord: number;
}

const STATUSES = ['Sent', 'Delivered', 'Opened'] as const;

/** Three status changes per pop, each pop's a few places apart, as pops overlap in a real stream. */
function streamOf(prefix: string, pops: number, tenants: number): DynamoDBRecord[] {
  const timed: { at: number; record: DynamoDBRecord }[] = [];
  const expiresAt = Math.floor(Date.now() / 1000) + 3600;
  for (let n = 0; n < pops; n++) {
    const keys = { PK: `POP#${prefix}-${n}`, SK: 'POP' };
    const image = (status: string) => ({
      ...keys,
      Type: 'Pop',
      Tenant: `${prefix}-t${n % tenants}`,
      PopId: `${prefix}-p${n}`,
      Status: status,
      Username: 'agent1',
      Campaign: 'Sales',
      UpdatedAt: new Date().toISOString(),
      ExpiresAt: expiresAt,
    });
    STATUSES.forEach((status, step) =>
      timed.push({
        at: n + step * 3,
        record: {
          eventName: step === 0 ? 'INSERT' : 'MODIFY',
          dynamodb: {
            Keys: marshall(keys) as never,
            NewImage: marshall(image(status)) as never,
            ...(step > 0 ? { OldImage: marshall(image(STATUSES[step - 1]!)) as never } : {}),
          },
        },
      }),
    );
  }
  return timed
    .sort((a, b) => a.at - b.at)
    .map(({ record }, i) => ({ ...record, dynamodb: { ...record.dynamodb, SequenceNumber: String(i + 1) } }));
}

/** A DynamoDB client that counts calls and waves (calls begun while none was in flight). */
function countingClient(input: StreamBenchInput) {
  const counts = { calls: 0, waves: 0, inFlight: 0 };
  const raw = new DynamoDBClient({
    endpoint: input.endpoint,
    region: input.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  raw.middlewareStack.add(
    (next) => async (args) => {
      counts.calls++;
      if (counts.inFlight++ === 0) counts.waves++;
      try {
        return await next(args);
      } finally {
        counts.inFlight--;
      }
    },
    { step: 'initialize', name: 'benchCallCounter' },
  );
  return { db: DynamoDBDocumentClient.from(raw), counts };
}

async function measure(input: StreamBenchInput, prefix: string, batchSize: number, concurrency: number) {
  const { db, counts } = countingClient(input);
  const settings = {
    tableName: input.tableName,
    region: input.region,
    popRetentionDays: 1,
    webhookQueueUrl: input.webhookQueueUrl,
  };
  const handler = makePopStreamHandler({ ...popStreamDependencies(settings, { db }), concurrency });
  const records = streamOf(prefix, input.pops, input.tenants);
  const started = performance.now();
  for (let i = 0; i < records.length; i += batchSize) {
    const { batchItemFailures } = await handler({ Records: records.slice(i, i + batchSize) });
    if (batchItemFailures.length > 0) throw new Error(`${batchItemFailures.length} records failed`);
  }
  const seconds = (performance.now() - started) / 1000;
  db.destroy();
  const round = (x: number) => Number(x.toFixed(3));
  return {
    records: records.length,
    seconds: round(seconds),
    recordsPerSecond: round(records.length / seconds),
    callsPerRecord: round(counts.calls / records.length),
    sequentialRoundTripsPerRecord: round(counts.waves / records.length),
  } satisfies StreamVariant;
}

async function main(): Promise<void> {
  const input = JSON.parse(process.env.BENCH_STREAM ?? '') as StreamBenchInput;
  // Warm-up (module loads, JIT, sockets), then before and after on fresh pops.
  await measure({ ...input, pops: Math.min(input.pops, 30) }, 'warm', 100, 16);
  const before = await measure(input, `before-${Date.now()}`, 1, 1);
  const after = await measure(input, `after-${Date.now()}`, 100, 16);
  writeFileSync(input.resultFile, JSON.stringify({ before, after }));
}

/**
 * Runs this file in a process of its own against the stack's dynalite and compares it with the pop handler's saturation
 * of the same run (pops answered per second): the feed keeps up when records/s is at least 3 per pop/s.
 */
export async function measureStreamConsumer(
  endpoints: { DynamoDbEndpoint: string; Region: string; TableName: string; WebhookQueueUrl?: string },
  options: { tmp: string; logFile: string; pops: number; popSaturationPerSecond: number },
) {
  const input: StreamBenchInput = {
    endpoint: endpoints.DynamoDbEndpoint,
    region: endpoints.Region,
    tableName: endpoints.TableName,
    webhookQueueUrl: endpoints.WebhookQueueUrl ?? 'http://127.0.0.1:9/000000000000/none',
    pops: options.pops,
    tenants: 5,
    resultFile: path.join(options.tmp, 'stream-consumer.json'),
  };
  const out = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', __filename], {
    cwd: path.resolve(__dirname, '..'),
    stdio: ['ignore', out, out],
    env: { ...process.env, BENCH_STREAM: JSON.stringify(input) },
  });
  closeSync(out);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/streamConsumer.ts failed (${code}); see ${options.logFile}`);
  const { before, after } = JSON.parse(readFileSync(input.resultFile, 'utf8')) as Record<string, StreamVariant>;
  const ratio = after!.recordsPerSecond / options.popSaturationPerSecond;
  return {
    before: before!,
    after: after!,
    popSaturationPerSecond: options.popSaturationPerSecond,
    recordsPerSecondOverPopsPerSecond: Number(ratio.toFixed(2)),
    /** The bound: the feed keeps up with three status changes per pop. */
    keepsUp: ratio >= 3,
    /** In AWS, from docs/capacity.md's constants (bench/capacity.ts): one shard's consumer at popStream's memory. */
    memoryMb: memoryOf('popStream'),
    projectedShardPopsPerSecond: Math.round(streamRecordsPerShard(true) / DESIGN.popItemWritesPerPop),
    how: 'lambdas/events/streamHandler.ts in a process of its own against the stack dynalite: before = records one by one, the webhook list per event; after = batches of 100, pops concurrently',
  };
}

if (require.main === module) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
