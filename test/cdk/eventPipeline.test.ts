/**
 * The stream's event source and what watches it (lib/eventPipeline.ts): bounded retries, bisecting, a maximum record
 * age, an on-failure queue, partial batch responses, the parallelization setting, and alarms on failed records, given
 * up batches and the iterator's age.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { METRIC } from '../../lambdas/shared/metricNames';
import {
  DEFAULT_STREAM_PARALLELIZATION,
  ITERATOR_AGE_ALARM_SECONDS,
  STREAM_MAX_RECORD_AGE_SECONDS,
  STREAM_RETRY_ATTEMPTS,
} from '../../lib/streamMapping';
import { actionsOf, logicalId, statementsByRole, synthStack } from './support';

const { stack, template } = synthStack();
const failureQueueId = logicalId(stack.eventPipeline.failureQueue);
const popStreamId = logicalId(stack.functions.byHandler.popStream);

test('the mapping gives a poison record up after bounded retries, bisecting, to the on-failure queue', () => {
  template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
    FunctionName: { Ref: popStreamId },
    StartingPosition: 'TRIM_HORIZON',
    BatchSize: 100,
    MaximumRetryAttempts: STREAM_RETRY_ATTEMPTS,
    MaximumRecordAgeInSeconds: STREAM_MAX_RECORD_AGE_SECONDS,
    BisectBatchOnFunctionError: true,
    FunctionResponseTypes: ['ReportBatchItemFailures'],
    ParallelizationFactor: DEFAULT_STREAM_PARALLELIZATION,
    DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureQueueId, 'Arn'] } } },
    FilterCriteria: {
      Filters: [
        { Pattern: JSON.stringify({ eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { SK: { S: ['POP'] } } } }) },
      ],
    },
  });
  expect(STREAM_RETRY_ATTEMPTS).toBeGreaterThanOrEqual(0);
  // The record age leaves most of the stream's 24 hours to replay from it.
  expect(STREAM_MAX_RECORD_AGE_SECONDS).toBeLessThanOrEqual(3600);
});

test('the parallelization factor is a setting', () => {
  const { template: low } = synthStack({ streamParallelizationFactor: 2 });
  low.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ParallelizationFactor: 2 });
});

test('the on-failure queue: encrypted, plain http refused, kept 14 days, named by an output; popStream may send to it', () => {
  template.hasResourceProperties('AWS::SQS::Queue', {
    SqsManagedSseEnabled: true,
    MessageRetentionPeriod: 14 * 24 * 3600,
  });
  template.hasResourceProperties('AWS::SQS::QueuePolicy', {
    Queues: [{ Ref: failureQueueId }],
    PolicyDocument: {
      Statement: Match.arrayWith([
        Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    },
  });
  template.hasOutput('StreamFailureQueueUrl', { Value: { Ref: failureQueueId } });
  const role = logicalId(stack.functions.byHandler.popStream.role!);
  const sends = (statementsByRole(template).get(role) ?? [])
    .filter((s) => JSON.stringify(s.Resource).includes(failureQueueId))
    .flatMap(actionsOf);
  expect(sends).toEqual(['sqs:SendMessage']);
});

test('alarms: a record reported failed, a batch given up, the iterator age', () => {
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: METRIC.streamRecordsFailed,
    Namespace: stack.metricsNamespace,
    Statistic: 'Sum',
    Threshold: 1,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/SQS',
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [failureQueueId, 'QueueName'] } }],
    Threshold: 1,
  });
  template.hasResourceProperties('AWS::CloudWatch::Alarm', {
    Namespace: 'AWS/Lambda',
    MetricName: 'IteratorAge',
    Statistic: 'Maximum',
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: popStreamId } }],
    Threshold: ITERATOR_AGE_ALARM_SECONDS * 1000,
  });
  for (const alarm of stack.eventPipeline.alarms) expect(stack.observability.alarms).toContain(alarm);
});
