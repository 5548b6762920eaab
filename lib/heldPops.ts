import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName } from '../lambdas/apiRoutes';
import { HOLD_MAX_RECEIVES } from '../lambdas/pops/holdQueueLimits';
import { ENV } from '../lambdas/shared/settings';
import type { RemotePopFunction } from './remotePopFunction';

export interface HeldPopsProps {
  /** The functions by handler; the queue is granted by HANDLER_NEEDS.holdQueue and consumed by `holdExpiry`. */
  readonly functions: Readonly<Record<HandlerName, RemotePopFunction>>;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * The held pops' timer (docs/held-pops.md "Expiry"): one message per held pop, delayed and then hidden until the pop's
 * deadline, consumed by `holdExpiry` (lambdas/pops/holdExpiry.ts), which makes the pop Expired within seconds of it.
 * A message that keeps failing goes to a dead-letter queue; its pop is still never delivered after its deadline and
 * reads Expired (the checks at delivery and at read time), only its stored status and Expired event wait for the next
 * read of the agent's held pops.
 */
export class HeldPops extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: HeldPopsProps) {
    super(scope, id);
    const consumer = props.functions.holdExpiry;
    const common = {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', { ...common, retentionPeriod: Duration.days(14) });
    this.queue = new sqs.Queue(this, 'Timers', {
      ...common,
      // A day's hold plus its retries: longer than MAX_HOLD_SECONDS (contract/limits.ts).
      retentionPeriod: Duration.days(4),
      visibilityTimeout: Duration.seconds(6 * (consumer.timeout ?? Duration.seconds(10)).toSeconds()),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: HOLD_MAX_RECEIVES },
    });
    consumer.addEventSource(new SqsEventSource(this.queue, { batchSize: 10, reportBatchItemFailures: true }));
    for (const fn of Object.values(props.functions)) {
      const access = HANDLER_NEEDS[fn.handlerName].holdQueue;
      if (!access) continue;
      // SendMessageBatch is authorised as sqs:SendMessage (grantSendMessages would add GetQueueAttributes, GetQueueUrl).
      if (access === 'send') this.queue.grant(fn, 'sqs:SendMessage');
      else this.queue.grant(fn, 'sqs:ChangeMessageVisibility');
      fn.addEnvironment(ENV.holdQueueUrl, this.queue.queueUrl);
    }
  }
}
