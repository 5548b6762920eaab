import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName } from '../lambdas/apiRoutes';
import { ENV } from '../lambdas/shared/settings';
import { DEFAULT_RETRY_SECONDS } from '../lambdas/webhooks/backoff';
import type { RemotePopFunction } from './remotePopFunction';
import { RUNBOOK_SECTION, withRunbook } from './runbook';

/**
 * The first try and one per back-off step (lambdas/webhooks/backoff.ts): the sender sets the visibility of a failed
 * delivery to the next step and, after the last, to 0, so the receive after that one moves it to the dead-letter queue.
 */
export const WEBHOOK_MAX_RECEIVES = DEFAULT_RETRY_SECONDS.length + 1;

export interface WebhooksProps {
  /** The functions by handler; the queue is granted by HANDLER_NEEDS.webhookQueue and consumed by `webhookSender`. */
  readonly functions: Readonly<Record<HandlerName, RemotePopFunction>>;
  readonly removalPolicy: RemovalPolicy;
  /**
   * Sender invocations at once; each sends at most MAX_PER_ENDPOINT requests per endpoint (senderHandler.ts).
   * @default 10
   */
  readonly maxConcurrency?: number;
  /** The sender's reserved concurrency, if any: the queue's MaximumConcurrency is kept at or below it. */
  readonly reservedConcurrency?: number;
}

/** SQS event sources take a MaximumConcurrency of 2 to 1,000. */
const MIN_QUEUE_CONCURRENCY = 2;

/**
 * The event source's MaximumConcurrency: at most the function's reserved concurrency, as AWS advises (above it, SQS
 * hands batches to a throttled function and they come back, each message spending a receive of its 8).
 */
export function queueConcurrency(wanted: number, reserved: number | undefined): number {
  const concurrency = Math.min(wanted, reserved ?? wanted);
  if (concurrency < MIN_QUEUE_CONCURRENCY)
    throw new Error(
      `The webhook queue needs a MaximumConcurrency of at least ${MIN_QUEUE_CONCURRENCY}, and the sender's reserved ` +
        `concurrency (${reserved}) must not be below it: set lambdaReservedConcurrency to ${MIN_QUEUE_CONCURRENCY} or more.`,
    );
  return concurrency;
}

/**
 * The webhook delivery queue (docs/deploy.md "The event feed"): SQS holds each delivery while the sender
 * retries it with a visibility-timeout back-off, so no loop of ours waits hours; what exhausts the back-off goes to a
 * dead-letter queue whose visible messages raise an alarm. Both queues encrypted by SQS and refusing plain http.
 */
export class Webhooks extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WebhooksProps) {
    super(scope, id);
    const sender = props.functions.webhookSender;
    const common = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', { ...common, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Deliveries', {
      ...common,
      retentionPeriod: Duration.days(4),
      // AWS's advice for an SQS event source: at least six times the function's timeout, so a batch being sent is
      // never handed to a second invocation.
      visibilityTimeout: Duration.seconds(6 * (sender.timeout ?? Duration.seconds(10)).toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: WEBHOOK_MAX_RECEIVES },
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'DeadLettersVisible', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: 'Maximum',
      }),
      alarmDescription: withRunbook(
        'Webhooks: a delivery exhausted its retries (about 27.6 h) and is in the dead-letter queue.',
        RUNBOOK_SECTION.webhookDeadLetters,
      ),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    sender.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
        maxConcurrency: queueConcurrency(props.maxConcurrency ?? 10, props.reservedConcurrency),
      }),
    );
    this.grant(props.functions);
  }

  /** Exactly what HANDLER_NEEDS lists: send for the enqueuers, visibility changes for the consumer (its event source grants the receive and delete). */
  private grant(functions: WebhooksProps['functions']): void {
    for (const fn of Object.values(functions)) {
      const access = HANDLER_NEEDS[fn.handlerName].webhookQueue;
      if (!access) continue;
      // SendMessageBatch is authorised as sqs:SendMessage; grantSendMessages would add GetQueueAttributes and GetQueueUrl.
      if (access === 'send') this.queue.grant(fn, 'sqs:SendMessage');
      else this.queue.grant(fn, 'sqs:ChangeMessageVisibility');
      fn.addEnvironment(ENV.webhookQueueUrl, this.queue.queueUrl);
    }
  }
}
