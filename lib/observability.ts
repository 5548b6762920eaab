import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HandlerName } from '../lambdas/apiRoutes';
import { METRIC, METRIC_DIMENSION } from '../lambdas/shared/metrics';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';

export interface ObservabilityProps {
  readonly restStage: apigw.Stage;
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly functions: Readonly<Record<HandlerName, lambda.IFunction>>;
  readonly table: dynamodb.ITable;
  /** The namespace the functions write their EMF metrics to (lambdas/shared/metrics.ts). */
  readonly metricsNamespace: string;
  /** @default - alarms without actions (visible on the dashboard and in the console) */
  readonly alarmEmail?: string;
  /** The REST web ACL's name, to chart its blocked requests. @default - no WAF widget */
  readonly webAclName?: string;
}

/** REST 5xx answers above this share of requests (in percent) over 5 minutes raise the alarm... */
export const REST_5XX_RATE_PERCENT = 5;
/** ...once at least this many requests came in those 5 minutes (one failed call of two is not an incident). */
export const REST_5XX_MIN_REQUESTS = 20;

const FIVE_MINUTES = Duration.minutes(5);

/**
 * Alarms and one dashboard: REST 5xx rate, each function's errors and throttles, DynamoDB throttles; the
 * dashboard adds traffic, latency, WebSocket figures and the business metrics the functions write as EMF.
 * Alarms notify an SNS topic (with `alarmEmail` subscribed) when an address is given.
 */
export class Observability extends Construct {
  readonly alarms: readonly cloudwatch.Alarm[];
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarmTopic?: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { restStage, table } = props;
    const functions = Object.entries(props.functions) as [HandlerName, lambda.IFunction][];
    const alarms: cloudwatch.Alarm[] = [];
    const alarm = (alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1): cloudwatch.Alarm => {
      const created = new cloudwatch.Alarm(this, alarmId, {
        metric,
        alarmDescription: description,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No traffic is not a failure.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarms.push(created);
      return created;
    };

    // REST 5xx rate: API Gateway's 5XXError over Count, only once there is enough traffic to mean something.
    const rest5xxRate = new cloudwatch.MathExpression({
      expression: `IF(requests >= ${REST_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
      usingMetrics: {
        errors: restStage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
        requests: restStage.metricCount({ statistic: 'Sum', period: FIVE_MINUTES }),
      },
      period: FIVE_MINUTES,
      label: 'REST 5xx %',
    });
    alarm(
      'Rest5xxRate',
      rest5xxRate,
      `REST API: ${REST_5XX_RATE_PERCENT}% or more of the requests in 5 minutes answered 5xx (with ${REST_5XX_MIN_REQUESTS}+ requests).`,
      REST_5XX_RATE_PERCENT,
    );

    for (const [name, fn] of functions) {
      alarm(`${name}Errors`, fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES }), `Function ${name}: an invocation failed (unhandled error or timeout).`);
      alarm(`${name}Throttles`, fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES }), `Function ${name}: an invocation was throttled (concurrency exhausted).`);
    }

    // DynamoDB throttles on the table and its index. On demand, these mean a hot partition or a traffic jump above
    // twice the previous peak. (UserErrors is account-wide and includes other tables; conditional-check failures
    // are expected here, they are how record claims work.)
    const tableMetric = (metricName: string, indexName?: string): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: 'AWS/DynamoDB',
        metricName,
        dimensionsMap: { TableName: table.tableName, ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}) },
        statistic: 'Sum',
        period: FIVE_MINUTES,
      });
    const index = TABLE_KEYS.byConnectionIndex.name;
    const dynamoThrottles = new cloudwatch.MathExpression({
      expression: 'FILL(tableReads, 0) + FILL(tableWrites, 0) + FILL(indexReads, 0) + FILL(indexWrites, 0)',
      usingMetrics: {
        tableReads: tableMetric('ReadThrottleEvents'),
        tableWrites: tableMetric('WriteThrottleEvents'),
        indexReads: tableMetric('ReadThrottleEvents', index),
        indexWrites: tableMetric('WriteThrottleEvents', index),
      },
      period: FIVE_MINUTES,
      label: 'DynamoDB throttle events',
    });
    alarm('DynamoDbThrottles', dynamoThrottles, 'DynamoDB: requests to the table or its index were throttled.');
    this.alarms = alarms;

    if (props.alarmEmail !== undefined) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Remote Pop alarms', enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
      for (const created of alarms) {
        created.addAlarmAction(new actions.SnsAction(topic));
        created.addOkAction(new actions.SnsAction(topic));
      }
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns), and a ' +
          'customer managed key costs 1 USD a month; the messages carry only alarm names, states and metric values.',
      });
      this.alarmTopic = topic;
    }

    this.dashboard = this.buildDashboard(props, functions, rest5xxRate, dynamoThrottles, tableMetric);
  }

  private buildDashboard(
    props: ObservabilityProps,
    functions: readonly [HandlerName, lambda.IFunction][],
    rest5xxRate: cloudwatch.IMetric,
    dynamoThrottles: cloudwatch.IMetric,
    tableMetric: (metricName: string) => cloudwatch.Metric,
  ): cloudwatch.Dashboard {
    const { restStage, webSocketStage, metricsNamespace } = props;
    const sum = { statistic: 'Sum', period: FIVE_MINUTES } as const;
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget =>
      new cloudwatch.GraphWidget({ title, left, width, height: 6 });
    const custom = (metricName: string): cloudwatch.Metric =>
      new cloudwatch.Metric({ namespace: metricsNamespace, metricName, ...sum, label: metricName });
    // One line per dimension value (reasons, statuses) without listing them: a SEARCH over the namespace.
    const byDimension = (metricName: string, dimension: string): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: `SEARCH('{"${metricsNamespace}",${dimension}} MetricName="${metricName}"', 'Sum', 300)`,
        period: FIVE_MINUTES,
        label: '',
      });
    const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.Metric): cloudwatch.Metric[] =>
      functions.map(([name, fn]) => metric(fn).with({ label: name }));

    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24, height: 4 }),
    );
    dashboard.addWidgets(
      graph('Pops accepted, pushed, stale connections removed', [
        custom(METRIC.popsAccepted),
        custom(METRIC.popsPushed),
        custom(METRIC.staleConnectionsRemoved),
      ]),
      graph('Pops refused, by reason', [byDimension(METRIC.popsRefused, METRIC_DIMENSION.PopsRefused)]),
      graph('Acks, by status', [byDimension(METRIC.acks, METRIC_DIMENSION.Acks)]),
    );
    dashboard.addWidgets(
      graph('REST requests and errors', [
        restStage.metricCount({ ...sum, label: 'Requests' }),
        restStage.metricClientError({ ...sum, label: '4xx' }),
        restStage.metricServerError({ ...sum, label: '5xx' }),
      ]),
      graph('REST 5xx rate (%)', [rest5xxRate]),
      graph('REST latency p99 (ms)', [
        restStage.metricLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'Latency' }),
        restStage.metricIntegrationLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'Integration latency' }),
      ]),
    );
    dashboard.addWidgets(
      graph('WebSocket connects and messages', [
        webSocketStage.metric('ConnectCount', { ...sum, label: 'Connects' }),
        webSocketStage.metric('MessageCount', { ...sum, label: 'Messages' }),
      ]),
      graph('WebSocket errors', [
        webSocketStage.metric('ClientError', { ...sum, label: 'Client errors' }),
        webSocketStage.metric('IntegrationError', { ...sum, label: 'Integration errors' }),
        webSocketStage.metric('ExecutionError', { ...sum, label: 'Execution errors' }),
      ]),
      graph('DynamoDB throttles and consumed capacity', [
        dynamoThrottles,
        tableMetric('ConsumedReadCapacityUnits').with({ label: 'Read units' }),
        tableMetric('ConsumedWriteCapacityUnits').with({ label: 'Write units' }),
      ]),
    );
    dashboard.addWidgets(
      graph('Lambda errors', perFunction((fn) => fn.metricErrors(sum))),
      graph('Lambda throttles', perFunction((fn) => fn.metricThrottles(sum))),
      graph('Lambda duration p99 (ms)', perFunction((fn) => fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES }))),
    );
    if (props.webAclName !== undefined) {
      dashboard.addWidgets(
        graph(
          'WAF: requests blocked by the rate limit',
          [
            new cloudwatch.Metric({
              namespace: 'AWS/WAFV2',
              metricName: 'BlockedRequests',
              dimensionsMap: { WebACL: props.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
              ...sum,
            }),
          ],
          24,
        ),
      );
    }
    return dashboard;
  }
}
