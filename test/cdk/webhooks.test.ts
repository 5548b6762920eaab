/** The webhook delivery queue (lib/webhooks.ts): queue, dead-letter queue and its alarm, the event source, the grants. */
import { Match } from 'aws-cdk-lib/assertions';
import { HANDLER_NEEDS, type HandlerName } from '../../lambdas/apiRoutes';
import { queueConcurrency, WEBHOOK_MAX_RECEIVES } from '../../lib/webhooks';
import { actionsOf, logicalId, statementsByRole, synthStack } from './support';

const { stack, template } = synthStack();
const queueId = logicalId(stack.webhooks.queue);
const dlqId = logicalId(stack.webhooks.deadLetterQueue);
const roleOf = (name: HandlerName) => logicalId(stack.functions.byHandler[name].role!);
const statements = statementsByRole(template);
const sqsActionsOf = (name: HandlerName, queue: string) =>
  (statements.get(roleOf(name)) ?? [])
    .filter((s) => JSON.stringify(s.Resource).includes(queue))
    .flatMap(actionsOf)
    .filter((a) => a.startsWith('sqs:'))
    .sort();

test('the delivery queue: SQS-managed encryption, 4 days, visibility 6 x the sender timeout, redrive after 8 receives', () => {
  const timeout = template.toJSON().Resources[logicalId(stack.functions.byHandler.webhookSender)].Properties
    .Timeout as number;
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 4 * 24 * 3600,
    VisibilityTimeout: 6 * timeout,
    RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 8 },
  });
  expect(WEBHOOK_MAX_RECEIVES).toBe(8);
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 14 * 24 * 3600,
  });
});

test('both queues refuse plain http', () => {
  for (const id of [queueId, dlqId]) {
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: id }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sqs:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  }
});

test("an alarm on the dead-letter queue's visible messages", () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
  });
});

test('the sender consumes the queue with batch item failures and a bounded concurrency', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
    FunctionName: { Ref: logicalId(stack.functions.byHandler.webhookSender) },
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ScalingConfig: { MaximumConcurrency: 10 },
  });
});

test("the queue's MaximumConcurrency never exceeds the sender's reserved concurrency", () => {
  // GIVEN a reserved concurrency below the default of 10 WHEN synthesized THEN the event source follows it
  const { stack: reserved, template: low } = synthStack({ lambdaReservedConcurrency: 4 });
  low.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    EventSourceArn: { 'Fn::GetAtt': [logicalId(reserved.webhooks.queue), 'Arn'] },
    ScalingConfig: { MaximumConcurrency: 4 },
  });
  low.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: 4 });
  // One reserved is below SQS's smallest MaximumConcurrency (2): refused with the setting to change.
  expect(queueConcurrency(10, 12)).toBe(10);
  expect(() => queueConcurrency(10, 1)).toThrow(/lambdaReservedConcurrency to 2 or more/);
});

test('grants: send for the enqueuers, consume and ChangeMessageVisibility for the sender, nothing for the rest', () => {
  for (const name of Object.keys(HANDLER_NEEDS) as HandlerName[]) {
    const access = HANDLER_NEEDS[name].webhookQueue;
    const actions = sqsActionsOf(name, queueId);
    // SendMessageBatch is authorised as sqs:SendMessage: nothing else (lib/webhooks.ts).
    if (access === 'send') expect(actions).toEqual(['sqs:SendMessage']);
    else if (access === 'consume')
      expect(actions).toEqual(
        expect.arrayContaining(['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:ReceiveMessage']),
      );
    else expect(actions).toEqual([]);
    if (access === 'consume') expect(actions).not.toContain('sqs:SendMessage');
  }
  expect(HANDLER_NEEDS.popStream.webhookQueue).toBe('send');
  expect(HANDLER_NEEDS.webhookTest.webhookQueue).toBe('send');
  // Registering an endpoint queues nothing: least privilege, no SendMessage.
  expect(sqsActionsOf('webhookCreate', queueId)).toEqual([]);
  expect(HANDLER_NEEDS.webhookSender.webhookQueue).toBe('consume');
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ WEBHOOK_QUEUE_URL: { Ref: queueId } }) },
  });
});
