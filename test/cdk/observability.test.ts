import { Match } from 'aws-cdk-lib/assertions';
import { HANDLER_NEEDS, type HandlerName } from '../../lambdas/apiRoutes';
import { METRIC } from '../../lambdas/shared/metrics';
import { REST_5XX_MIN_REQUESTS, REST_5XX_RATE_PERCENT } from '../../lib/observability';
import { logicalId, synthStack } from './support';

// One synth for the file. GIVEN the stack with an alarm e-mail and a log retention of 90 days
const { stack, template } = synthStack({ alarmEmail: 'ops@example.com', logRetentionDays: 90 });
const handlerNames = Object.keys(HANDLER_NEEDS) as HandlerName[];
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, any> }>;
const alarms = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm');

/** The metric names an alarm reads (a plain metric, or every metric of its math expression). */
function metricNamesOf(properties: Record<string, any>): string[] {
  if (properties.MetricName) return [properties.MetricName];
  return (properties.Metrics as any[]).filter((m) => m.MetricStat).map((m) => m.MetricStat.Metric.MetricName);
}

describe('alarms', () => {
  test("one REST 5xx-rate alarm, errors and throttles per function, one DynamoDB throttle alarm, the webhooks' dead letters, the event pipeline's three", () => {
    // THEN 1 + 2 per function + 1 + 1 (lib/webhooks.ts) + 3 (lib/eventPipeline.ts), notified through the same topic
    expect(alarms).toHaveLength(1 + 2 * handlerNames.length + 1 + 1 + 3);
    expect(stack.observability.alarms).toHaveLength(alarms.length);
  });

  test('the REST 5xx rate: 5XXError over Count on this stage, above the threshold once there is traffic', () => {
    const [, rate] = alarms.find(([id]) => id.includes('Rest5xxRate'))!;
    expect(metricNamesOf(rate.Properties).sort()).toEqual(['5XXError', 'Count']);
    expect(rate.Properties).toMatchObject({
      Threshold: REST_5XX_RATE_PERCENT,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
    const expression = (rate.Properties.Metrics as any[]).find((m) => m.Expression).Expression;
    expect(expression).toBe(`IF(requests >= ${REST_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`);
    for (const metric of (rate.Properties.Metrics as any[]).filter((m) => m.MetricStat)) {
      expect(metric.MetricStat.Metric.Namespace).toBe('AWS/ApiGateway');
      expect(metric.MetricStat.Metric.Dimensions).toEqual(
        expect.arrayContaining([{ Name: 'Stage', Value: { Ref: logicalId(stack.restApi.api.deploymentStage) } }]),
      );
    }
  });

  test.each(handlerNames)('function %s: Errors and Throttles, on that function', (name) => {
    const functionRef = { Name: 'FunctionName', Value: { Ref: logicalId(stack.functions.byHandler[name]) } };
    for (const metricName of ['Errors', 'Throttles']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: metricName,
        Dimensions: [functionRef],
        Statistic: 'Sum',
        Period: 300,
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  test('DynamoDB: read and write throttle events of the table and of its index', () => {
    const [, throttles] = alarms.find(([id]) => id.includes('DynamoDbThrottles'))!;
    expect(metricNamesOf(throttles.Properties).sort()).toEqual([
      'ReadThrottleEvents',
      'ReadThrottleEvents',
      'WriteThrottleEvents',
      'WriteThrottleEvents',
    ]);
    const dimensions = (throttles.Properties.Metrics as any[])
      .filter((m) => m.MetricStat)
      .map((m) => m.MetricStat.Metric.Dimensions);
    for (const dims of dimensions)
      expect(dims).toContainEqual({ Name: 'TableName', Value: { Ref: logicalId(stack.storage.table) } });
    expect(dimensions.filter((dims) => dims.some((d: any) => d.Name === 'GlobalSecondaryIndexName'))).toHaveLength(2);
  });

  test('every alarm notifies the SNS topic, which the e-mail subscribes to and which refuses plain HTTP', () => {
    const topicId = logicalId(stack.observability.alarmTopic!);
    for (const [, alarm] of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(alarm.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test("CloudWatch may publish to the topic, for this stack's alarms only (enforceSSL's policy replaced SNS's default)", () => {
    const topicId = logicalId(stack.observability.alarmTopic!);
    const policy = Object.values(template.findResources('AWS::SNS::TopicPolicy'))[0].Properties;
    expect(policy.Topics).toEqual([{ Ref: topicId }]);
    const allow = (policy.PolicyDocument.Statement as any[]).find((s) => s.Effect === 'Allow');
    expect(allow).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Resource: { Ref: topicId },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    });
    const alarmArns = alarms.map(([id]) => ({ 'Fn::GetAtt': [id, 'Arn'] }));
    expect(allow.Condition.ArnLike['aws:SourceArn']).toEqual(alarmArns);
  });

  test('REST metrics are keyed by ApiName + Stage: the alarm reads this stack\'s API name, not the default "Api"', () => {
    const [, rate] = alarms.find(([id]) => id.includes('Rest5xxRate'))!;
    const apiName = Object.values(template.findResources('AWS::ApiGateway::RestApi'))[0].Properties.Name;
    expect(apiName).toBe('RemotePop-rest');
    for (const metric of (rate.Properties.Metrics as any[]).filter((m) => m.MetricStat)) {
      expect(metric.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'ApiName', Value: apiName });
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      Name: 'RemotePop-websocket',
      ProtocolType: 'WEBSOCKET',
    });
  });

  test('without alarmEmail: no topic, alarms without actions', () => {
    // GIVEN the default stack (bundling skipped; about 1 s)
    const plain = synthStack();
    plain.template.resourceCountIs('AWS::SNS::Topic', 0);
    for (const alarm of Object.values(plain.template.findResources('AWS::CloudWatch::Alarm'))) {
      expect(alarm.Properties.AlarmActions).toBeUndefined();
    }
  });
});

describe('dashboard', () => {
  const body = JSON.stringify(
    Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]?.Properties.DashboardBody,
  );

  test('one dashboard named after the stack', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'RemotePop-operations' });
  });

  test('shows every alarm and the AWS figures they watch', () => {
    for (const [id] of alarms) expect(body).toContain(`"Fn::GetAtt":["${id}","Arn"]`);
    for (const name of [
      '5XXError',
      'Latency',
      'ConnectCount',
      'MessageCount',
      'IntegrationError',
      'Errors',
      'Throttles',
      'Duration',
      'ReadThrottleEvents',
    ]) {
      expect(body).toContain(`\\"${name}\\"`);
    }
  });

  test('shows every business metric, in the namespace the functions write to', () => {
    expect(stack.metricsNamespace).toBe('RemotePop/RemotePop');
    for (const name of [METRIC.popsAccepted, METRIC.popsPushed, METRIC.staleConnectionsRemoved]) {
      expect(body).toContain(`[\\"RemotePop/RemotePop\\",\\"${name}\\"`);
    }
    expect(body).toContain(`{\\\\\\"RemotePop/RemotePop\\\\\\",Reason} MetricName=\\\\\\"${METRIC.popsRefused}\\\\\\"`);
    expect(body).toContain(`{\\\\\\"RemotePop/RemotePop\\\\\\",Status} MetricName=\\\\\\"${METRIC.acks}\\\\\\"`);
  });
});

describe('tracing and logs', () => {
  test('X-Ray on the REST stage and every function; the WebSocket stage has no such setting', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
    for (const name of handlerNames) {
      expect(resources[logicalId(stack.functions.byHandler[name])].Properties.TracingConfig).toEqual({
        Mode: 'Active',
      });
    }
  });

  test('every log group (functions, REST execution and access, WebSocket access) keeps the retention setting', () => {
    const logGroups = Object.values(resources).filter((r) => r.Type === 'AWS::Logs::LogGroup');
    // 13 functions, REST access and execution, WebSocket access
    expect(logGroups).toHaveLength(handlerNames.length + 3);
    for (const logGroup of logGroups) expect(logGroup.Properties.RetentionInDays).toBe(90);
  });
});
