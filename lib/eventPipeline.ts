import { Duration, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { METRIC } from '../lambdas/shared/metricNames';
import type { RemotePopFunction } from './remotePopFunction';
import { RUNBOOK_SECTION, withRunbook } from './runbook';
import {
  ITERATOR_AGE_ALARM_SECONDS,
  STREAM_BATCH_SIZE,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_RETRY_ATTEMPTS,
} from './streamMapping';

export interface EventPipelineProps {
  readonly table: dynamodb.ITable;
  /** The function that turns pop changes into feed events and webhook deliveries (lambdas/events/streamHandler.ts). */
  readonly popStream: RemotePopFunction;
  readonly removalPolicy: RemovalPolicy;
  /** Concurrent batches per shard (lib/streamMapping.ts, DEFAULT_STREAM_PARALLELIZATION). */
  readonly parallelizationFactor: number;
  /** The namespace the functions write their EMF metrics to (lambdas/shared/metrics.ts). */
  readonly metricsNamespace: string;
}

/**
 * The on-failure destination, granting the function's role `sqs:SendMessage` on it and nothing more (CDK's SqsDlq adds
 * GetQueueAttributes and GetQueueUrl, which Lambda does not need to send there).
 */
function sendOnlyDestination(queue: sqs.IQueue): lambda.IEventSourceDlq {
  return {
    bind: (_mapping, target) => {
      target.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
      return { destination: queue.queueArn };
    },
  };
}

const FIVE_MINUTES = Duration.minutes(5);

/** Each alarm's section of docs/runbook.md (lib/runbook.ts). */
const PIPELINE_RUNBOOK = {
  StreamRecordsFailed: RUNBOOK_SECTION.streamRecordsFailed,
  StreamBatchesGivenUp: RUNBOOK_SECTION.streamBatchesGivenUp,
  StreamIteratorAge: RUNBOOK_SECTION.streamIteratorAge,
} as const;

/**
 * The table's stream into the event feed's writer, filtered by Lambda to pop items (SK = POP) so it is not invoked for
 * connections, claims or its own event items (docs/capacity.md). A failing record is retried a bounded number of
 * times (lib/streamMapping.ts), a batch failing whole is bisected, and what is given up goes to an on-failure queue
 * (where the batch was in the stream, not the records) to be replayed from the stream within its 24 hours
 * (lambdas/events/streamReplay.ts). Alarms: a record reported failed, a batch given up, the iterator's age.
 */
export class EventPipeline extends Construct {
  readonly failureQueue: sqs.Queue;
  readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: EventPipelineProps) {
    super(scope, id);
    this.failureQueue = new sqs.Queue(this, 'StreamFailures', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
      // Longer than the stream keeps the records: a message past 24 h still says what was lost.
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.failureQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the stream event source's on-failure destination (a dead-letter queue of its own kind); its " +
        'messages are read by the replay command, not consumed by a function, so it needs no dead-letter queue.',
    });
    props.popStream.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize: STREAM_BATCH_SIZE,
        parallelizationFactor: props.parallelizationFactor,
        retryAttempts: STREAM_RETRY_ATTEMPTS,
        maxRecordAge: Duration.seconds(STREAM_MAX_RECORD_AGE_SECONDS),
        bisectBatchOnError: true,
        reportBatchItemFailures: true,
        onFailure: sendOnlyDestination(this.failureQueue),
        // Writes only: a REMOVE (a pop's TTL deletion) is no event, and filtered out it costs no invocation.
        filters: [
          lambda.FilterCriteria.filter({
            eventName: lambda.FilterRule.or('INSERT', 'MODIFY'),
            dynamodb: { Keys: { SK: { S: lambda.FilterRule.isEqual('POP') } } },
          }),
        ],
      }),
    );
    this.alarms = this.createAlarms(props);
  }

  private createAlarms(props: EventPipelineProps): cloudwatch.Alarm[] {
    const failedRecords = new cloudwatch.Metric({
      namespace: props.metricsNamespace,
      metricName: METRIC.streamRecordsFailed,
      statistic: 'Sum',
      period: FIVE_MINUTES,
    });
    const iteratorAge = props.popStream.metric('IteratorAge', { statistic: 'Maximum', period: Duration.minutes(1) });
    return [
      this.alarm(
        'StreamRecordsFailed',
        failedRecords,
        'Event feed: popStream reported a stream record as failed (retried; its shard waits behind it). Lambda ' +
          'does not count these as Errors.',
        1,
      ),
      this.alarm(
        'StreamBatchesGivenUp',
        this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: 'Maximum' }),
        'Event feed: the stream gave a batch up after its retries; replay it within 23 h: ' +
          '`npm run provision -- events replay --stack <name>` (docs/capacity.md).',
        1,
      ),
      this.alarm(
        'StreamIteratorAge',
        iteratorAge,
        `Event feed: the oldest unhandled stream record is older than ${ITERATOR_AGE_ALARM_SECONDS} s ` +
          '(the feed and webhooks lag by as much).',
        ITERATOR_AGE_ALARM_SECONDS * 1000,
      ),
    ];
  }

  private alarm(
    alarmId: keyof typeof PIPELINE_RUNBOOK,
    metric: cloudwatch.IMetric,
    description: string,
    threshold: number,
  ) {
    return new cloudwatch.Alarm(this, alarmId, {
      metric,
      alarmDescription: withRunbook(description, PIPELINE_RUNBOOK[alarmId]),
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
