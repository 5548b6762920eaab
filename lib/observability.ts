import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { HandlerName } from '../lambdas/apiRoutes';
import { METRIC, METRIC_DIMENSION } from '../lambdas/shared/metricNames';
import { TABLE_KEYS } from '../lambdas/store/tableSchema';
import { RUNBOOK_SECTION, withRunbook } from './runbook';

export interface ObservabilityProps {
  readonly restStage: apigw.Stage;
  readonly webSocketStage: apigwv2.WebSocketStage;
  readonly functions: Readonly<Record<HandlerName, lambda.IFunction>>;
  readonly table: dynamodb.ITable;
  /** The namespace the functions write their EMF metrics to (lambdas/shared/metrics.ts). */
  readonly metricsNamespace: string;
  /** @default - alarms without actions (visible on the dashboard and in the console) */
  readonly alarmEmail?: string;
  /** Alarms made by other constructs (the webhooks' dead-letter queue), notified like these. */
  readonly alarms?: readonly cloudwatch.Alarm[];
  /** The REST web ACL's name, to chart its blocked requests. @default - no WAF widget */
  readonly webAclName?: string;
  /** The canary's success and latency (lib/canary.ts), charted under the alarms. @default - no canary widget */
  readonly canary?: { readonly success: cloudwatch.IMetric; readonly latency: cloudwatch.IMetric };
}

/** REST 5xx answers above this share of requests (in percent) over 5 minutes raise the alarm... */
export const REST_5XX_RATE_PERCENT = 5;
/** ...once at least this many requests came in those 5 minutes (one failed call of two is not an incident). */
export const REST_5XX_MIN_REQUESTS = 20;

const FIVE_MINUTES = Duration.minutes(5);
const SUM = { statistic: 'Sum', period: FIVE_MINUTES } as const;

/** A DynamoDB metric of the table, or of one of its indexes, summed over 5 minutes. */
function tableMetric(table: dynamodb.ITable, metricName: string, indexName?: string): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/DynamoDB',
    metricName,
    dimensionsMap: { TableName: table.tableName, ...(indexName ? { GlobalSecondaryIndexName: indexName } : {}) },
    ...SUM,
  });
}

/** REST 5xx rate: API Gateway's 5XXError over Count, only once there is enough traffic to mean something. */
function rest5xxRate(restStage: apigw.Stage): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: `IF(requests >= ${REST_5XX_MIN_REQUESTS}, 100 * errors / requests, 0)`,
    usingMetrics: {
      errors: restStage.metricServerError(SUM),
      requests: restStage.metricCount(SUM),
    },
    period: FIVE_MINUTES,
    label: 'REST 5xx %',
  });
}

/**
 * DynamoDB throttles on the table and its index. On demand, these mean a hot partition or a traffic jump above
 * twice the previous peak. (UserErrors is account-wide and includes other tables; conditional-check failures
 * are expected here, they are how record claims work.)
 */
function dynamoDbThrottles(table: dynamodb.ITable): cloudwatch.MathExpression {
  const index = TABLE_KEYS.byConnectionIndex.name;
  return new cloudwatch.MathExpression({
    expression: 'FILL(tableReads, 0) + FILL(tableWrites, 0) + FILL(indexReads, 0) + FILL(indexWrites, 0)',
    usingMetrics: {
      tableReads: tableMetric(table, 'ReadThrottleEvents'),
      tableWrites: tableMetric(table, 'WriteThrottleEvents'),
      indexReads: tableMetric(table, 'ReadThrottleEvents', index),
      indexWrites: tableMetric(table, 'WriteThrottleEvents', index),
    },
    period: FIVE_MINUTES,
    label: 'DynamoDB throttle events',
  });
}

const graph = (title: string, left: cloudwatch.IMetric[], width = 8): cloudwatch.GraphWidget =>
  new cloudwatch.GraphWidget({ title, left, width, height: 6 });

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
    const functions = Object.entries(props.functions) as [HandlerName, lambda.IFunction][];
    const restErrorRate = rest5xxRate(props.restStage);
    const tableThrottles = dynamoDbThrottles(props.table);
    this.alarms = [
      this.alarm(
        'Rest5xxRate',
        restErrorRate,
        withRunbook(
          `REST API: ${REST_5XX_RATE_PERCENT}% or more of the requests in 5 minutes answered 5xx (with ${REST_5XX_MIN_REQUESTS}+ requests).`,
          RUNBOOK_SECTION.rest5xxRate,
        ),
        REST_5XX_RATE_PERCENT,
      ),
      ...functions.flatMap(([name, fn]) => [
        this.alarm(
          `${name}Errors`,
          fn.metricErrors(SUM),
          withRunbook(
            `Function ${name}: an invocation failed (unhandled error or timeout).`,
            RUNBOOK_SECTION.functionErrors,
          ),
        ),
        this.alarm(
          `${name}Throttles`,
          fn.metricThrottles(SUM),
          withRunbook(
            `Function ${name}: an invocation was throttled (concurrency exhausted).`,
            RUNBOOK_SECTION.functionThrottles,
          ),
        ),
      ]),
      this.alarm(
        'DynamoDbThrottles',
        tableThrottles,
        withRunbook('DynamoDB: requests to the table or its index were throttled.', RUNBOOK_SECTION.dynamoDbThrottles),
      ),
    ];
    // First: they were made before these (the stack makes the webhooks first), the template's order too.
    this.alarms = [...(props.alarms ?? []), ...this.alarms];
    if (props.alarmEmail !== undefined) this.alarmTopic = this.notify(props.alarmEmail);
    this.dashboard = this.buildDashboard(props, functions, restErrorRate, tableThrottles);
  }

  /** An alarm at `threshold` or above over one 5-minute period; no data (no traffic) is not a failure. */
  private alarm(alarmId: string, metric: cloudwatch.IMetric, description: string, threshold = 1): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, alarmId, {
      metric,
      alarmDescription: description,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      // No traffic is not a failure.
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }

  /** An SNS topic with `alarmEmail` subscribed, notified by every alarm on ALARM and on OK. */
  private notify(alarmEmail: string): sns.Topic {
    const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'Remote Pop alarms', enforceSSL: true });
    topic.addSubscription(new subscriptions.EmailSubscription(alarmEmail));
    for (const created of this.alarms) {
      created.addAlarmAction(new actions.SnsAction(topic));
      created.addOkAction(new actions.SnsAction(topic));
    }
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default policy: without this statement
    // CloudWatch is "not authorized to perform SNS:Publish" and no alarm mail is ever sent. Only this stack's alarms.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksAlarmsToPublish',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: { 'aws:SourceArn': this.alarms.map((created) => created.alarmArn) },
        },
      }),
    );
    Validations.of(topic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS managed key (alias/aws/sns), and a ' +
        'customer managed key costs 1 USD a month; the messages carry only alarm names, states and metric values.',
    });
    return topic;
  }

  /** The operations dashboard, one row per concern: alarms, pops, REST, WebSocket and DynamoDB, Lambda, WAF. */
  private buildDashboard(
    props: ObservabilityProps,
    functions: readonly [HandlerName, lambda.IFunction][],
    restErrorRate: cloudwatch.IMetric,
    tableThrottles: cloudwatch.IMetric,
  ): cloudwatch.Dashboard {
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${Stack.of(this).stackName}-operations`,
      defaultInterval: Duration.hours(3),
    });
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: [...this.alarms], width: 24, height: 4 }),
    );
    if (props.canary) {
      const { success, latency } = props.canary;
      const title = 'Canary: success (1 passed, 0 failed) and round trip (ms, right)';
      dashboard.addWidgets(
        new cloudwatch.GraphWidget({ title, left: [success], right: [latency], width: 24, height: 6 }),
      );
    }
    dashboard.addWidgets(...popWidgets(props.metricsNamespace));
    dashboard.addWidgets(...restWidgets(props.restStage, restErrorRate));
    dashboard.addWidgets(...webSocketAndTableWidgets(props.webSocketStage, props.table, tableThrottles));
    dashboard.addWidgets(...lambdaWidgets(functions));
    if (props.webAclName !== undefined) {
      const blocked = new cloudwatch.Metric({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensionsMap: { WebACL: props.webAclName, Region: Stack.of(this).region, Rule: 'ALL' },
        ...SUM,
      });
      dashboard.addWidgets(graph('WAF: requests blocked by the rate limit', [blocked], 24));
    }
    return dashboard;
  }
}

/** The business metrics the functions write as EMF: pops accepted, pushed, refused by reason, acks by status. */
function popWidgets(metricsNamespace: string): cloudwatch.GraphWidget[] {
  const custom = (metricName: string): cloudwatch.Metric =>
    new cloudwatch.Metric({ namespace: metricsNamespace, metricName, ...SUM, label: metricName });
  // One line per dimension value (reasons, statuses) without listing them: a SEARCH over the namespace.
  const byDimension = (metricName: string, dimension: string): cloudwatch.MathExpression =>
    new cloudwatch.MathExpression({
      expression: `SEARCH('{"${metricsNamespace}",${dimension}} MetricName="${metricName}"', 'Sum', 300)`,
      period: FIVE_MINUTES,
      label: '',
    });
  return [
    graph('Pops accepted, pushed, stale connections removed', [
      custom(METRIC.popsAccepted),
      custom(METRIC.popsPushed),
      custom(METRIC.staleConnectionsRemoved),
    ]),
    graph('Pops refused, by reason', [byDimension(METRIC.popsRefused, METRIC_DIMENSION.PopsRefused)]),
    graph('Acks, by status', [byDimension(METRIC.acks, METRIC_DIMENSION.Acks)]),
  ];
}

function restWidgets(restStage: apigw.Stage, restErrorRate: cloudwatch.IMetric): cloudwatch.GraphWidget[] {
  return [
    graph('REST requests and errors', [
      restStage.metricCount({ ...SUM, label: 'Requests' }),
      restStage.metricClientError({ ...SUM, label: '4xx' }),
      restStage.metricServerError({ ...SUM, label: '5xx' }),
    ]),
    graph('REST 5xx rate (%)', [restErrorRate]),
    graph('REST latency p99 (ms)', [
      restStage.metricLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'Latency' }),
      restStage.metricIntegrationLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'Integration latency' }),
    ]),
  ];
}

function webSocketAndTableWidgets(
  webSocketStage: apigwv2.WebSocketStage,
  table: dynamodb.ITable,
  tableThrottles: cloudwatch.IMetric,
): cloudwatch.GraphWidget[] {
  return [
    graph('WebSocket connects and messages', [
      webSocketStage.metric('ConnectCount', { ...SUM, label: 'Connects' }),
      webSocketStage.metric('MessageCount', { ...SUM, label: 'Messages' }),
    ]),
    graph('WebSocket errors', [
      webSocketStage.metric('ClientError', { ...SUM, label: 'Client errors' }),
      webSocketStage.metric('IntegrationError', { ...SUM, label: 'Integration errors' }),
      webSocketStage.metric('ExecutionError', { ...SUM, label: 'Execution errors' }),
    ]),
    graph('DynamoDB throttles and consumed capacity', [
      tableThrottles,
      tableMetric(table, 'ConsumedReadCapacityUnits').with({ label: 'Read units' }),
      tableMetric(table, 'ConsumedWriteCapacityUnits').with({ label: 'Write units' }),
    ]),
  ];
}

function lambdaWidgets(functions: readonly [HandlerName, lambda.IFunction][]): cloudwatch.GraphWidget[] {
  const perFunction = (metric: (fn: lambda.IFunction) => cloudwatch.Metric): cloudwatch.Metric[] =>
    functions.map(([name, fn]) => metric(fn).with({ label: name }));
  return [
    graph(
      'Lambda errors',
      perFunction((fn) => fn.metricErrors(SUM)),
    ),
    graph(
      'Lambda throttles',
      perFunction((fn) => fn.metricThrottles(SUM)),
    ),
    graph(
      'Lambda duration p99 (ms)',
      perFunction((fn) => fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES })),
    ),
  ];
}
