/**
 * `events replay`: what the table stream's event source gave up (lib/eventPipeline.ts: its on-failure queue) read back
 * from the stream and handled again by the stream function's own code (lambdas/events/streamReplay.ts), so each event
 * reaches the feed once, after every cursor already handed out, and its webhooks are queued. A message is deleted
 * once its batch is replayed; one whose records the stream no longer has (24 hours after their write) or that fails
 * again stays on the queue and is named.
 */
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { DeleteMessageCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createQueueClient } from '../lambdas/clients/queueClient';
import { makePopStreamHandler, popStreamDependencies } from '../lambdas/events/streamHandler';
import { failedBatchOf, replayFailedBatch, type ReplayOutcome } from '../lambdas/events/streamReplay';
import { DEFAULT_SETTINGS } from '../lib/stackSettings';
import type { CommandContext } from './commands';
import { CliError, EXIT } from './errors';
import { streamRecordsOf } from './streamRecords';

export interface PipelineTargetOptions {
  readonly endpoints?: string;
  readonly stack?: string;
  readonly region?: string;
}

/** What the replay needs, from an endpoints file (the local stack's, or `cdk deploy --outputs-file`) or a stack. */
interface PipelineOutputs {
  readonly TableName: string;
  readonly StreamFailureQueueUrl: string;
  readonly WebhookQueueUrl?: string;
  readonly Region: string;
  /** The local stack's emulators. */
  readonly DynamoDbEndpoint?: string;
  readonly DynamoDbStreamsEndpoint?: string;
}

export interface EventCommandContext extends Omit<CommandContext, 'target'> {
  readonly target: PipelineTargetOptions;
}

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const REQUIRED = ['TableName', 'StreamFailureQueueUrl'] as const;

function outputsOf(values: Record<string, unknown>, where: string, region: string): PipelineOutputs {
  const nested = Object.values(values).filter(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && 'TableName' in v,
  );
  const outputs = 'TableName' in values ? values : nested.length === 1 ? nested[0]! : {};
  for (const key of REQUIRED) {
    if (typeof outputs[key] !== 'string' || !outputs[key])
      throw new CliError(`${where} has no ${key}: is it a Remote Pop stack with the event pipeline?`, EXIT.TARGET);
  }
  return { Region: region, ...(outputs as object) } as PipelineOutputs;
}

async function resolvePipeline(options: PipelineTargetOptions, env: NodeJS.ProcessEnv): Promise<PipelineOutputs> {
  if (options.endpoints !== undefined && options.stack !== undefined)
    throw new CliError('Choose one target: --endpoints or --stack.', EXIT.USAGE);
  const region = options.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  if (options.stack !== undefined) {
    const cloudFormation = new CloudFormationClient({ region });
    try {
      const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: options.stack }));
      const outputs = Object.fromEntries(
        (answer.Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey, output.OutputValue]),
      );
      return outputsOf(outputs, `Stack "${options.stack}"`, region);
    } finally {
      cloudFormation.destroy();
    }
  }
  const file = resolve(options.endpoints ?? resolve(env.LOCAL_DIR || '.local', 'endpoints.json'));
  if (!existsSync(file))
    throw new CliError(
      `No target: ${file} does not exist. Start the local stack, or choose --stack NAME.`,
      EXIT.TARGET,
    );
  let values: Record<string, unknown>;
  try {
    values = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new CliError(`Cannot read the endpoints file ${file} (not valid JSON).`, EXIT.TARGET);
  }
  const outputs = outputsOf(values, `The endpoints file ${file}`, region);
  return { ...outputs, Region: typeof values.Region === 'string' ? values.Region : region };
}

/** The clients of one replay: the table and the stream (local emulators or AWS), both queues. */
function clientsFor(outputs: PipelineOutputs) {
  const local = outputs.DynamoDbEndpoint !== undefined ? { credentials: LOCAL_CREDENTIALS, maxAttempts: 2 } : {};
  const region = outputs.Region;
  const db = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      region,
      ...local,
      ...(outputs.DynamoDbEndpoint ? { endpoint: outputs.DynamoDbEndpoint } : {}),
    }),
  );
  const streams = new DynamoDBStreamsClient({
    region,
    ...local,
    ...(outputs.DynamoDbStreamsEndpoint ? { endpoint: outputs.DynamoDbStreamsEndpoint } : {}),
  });
  const sqsEndpoint = local.credentials ? { endpoint: new URL(outputs.StreamFailureQueueUrl).origin } : {};
  const sqs = new SQSClient({ region, ...local, ...sqsEndpoint });
  return { db, streams, sqs, destroy: () => [db, streams, sqs].forEach((client) => client.destroy()) };
}

interface ReplayTally {
  replayed: number;
  records: number;
  left: { messageId: string; outcome: string }[];
}

export async function replayEvents(options: { json?: boolean }, context: EventCommandContext): Promise<void> {
  const outputs = await resolvePipeline(context.target, context.io.env);
  context.io.err(`Target: table ${outputs.TableName}, on-failure queue ${outputs.StreamFailureQueueUrl}`);
  const clients = clientsFor(outputs);
  try {
    const tally = await replayQueue(outputs, clients);
    if (options.json) context.io.out(JSON.stringify(tally));
    else
      context.io.out(
        `${tally.replayed} batch${tally.replayed === 1 ? '' : 'es'} replayed (${tally.records} records), ` +
          `${tally.left.length} left on the queue`,
      );
    for (const left of tally.left) context.io.err(`Left on the queue: message ${left.messageId}: ${left.outcome}`);
    if (tally.left.length > 0)
      throw new CliError(`${tally.left.length} message(s) could not be replayed (above).`, EXIT.UNEXPECTED);
  } finally {
    clients.destroy();
  }
}

const describe = (outcome: ReplayOutcome | undefined): string =>
  outcome === undefined
    ? 'not a stream batch failure (no DDBStreamBatchInfo)'
    : outcome.kind === 'expired'
      ? 'the stream no longer has these records (over 24 hours): those events are lost'
      : `record ${outcome.kind === 'failed' ? outcome.sequenceNumber : ''} failed again; run the replay again later`;

async function replayQueue(outputs: PipelineOutputs, clients: ReturnType<typeof clientsFor>): Promise<ReplayTally> {
  const settings = {
    tableName: outputs.TableName,
    region: outputs.Region,
    // The pop's own TTL is used; this only applies to an image without one.
    popRetentionDays: DEFAULT_SETTINGS.popRetentionDays,
    ...(outputs.WebhookQueueUrl ? { webhookQueueUrl: outputs.WebhookQueueUrl } : {}),
  };
  const queue = outputs.WebhookQueueUrl
    ? createQueueClient(settings, outputs.DynamoDbEndpoint ? LOCAL_CREDENTIALS : undefined)
    : undefined;
  const handler = makePopStreamHandler(popStreamDependencies(settings, { db: clients.db, queue }));
  const reader = streamRecordsOf(clients.streams);
  const tally: ReplayTally = { replayed: 0, records: 0, left: [] };
  const QueueUrl = outputs.StreamFailureQueueUrl;
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 300, WaitTimeSeconds: 0 }),
    );
    if (Messages.length === 0) return tally;
    for (const message of Messages) {
      const batch = failedBatchOf(message.Body ?? '');
      const outcome = batch ? await replayFailedBatch(batch, reader, handler) : undefined;
      if (outcome?.kind === 'replayed') {
        await clients.sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
        tally.replayed++;
        tally.records += outcome.records;
      } else tally.left.push({ messageId: message.MessageId ?? '?', outcome: describe(outcome) });
    }
  }
}
