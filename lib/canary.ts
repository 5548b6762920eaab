import * as path from 'path';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE_ENV } from '../lambdas/shared/metricNames';
import { CANARY_METRIC, CANARY_TENANT } from '../ops/canary/canary';
import { CANARY_ENV } from '../ops/canary/environment';
import { DEFAULT_FUNCTION_MEMORY_MB } from './functionMemory';
import { LAMBDA_BUNDLING, REPO_ROOT } from './remotePopFunction';
import { RUNBOOK_SECTION, withRunbook } from './runbook';

export interface CanaryMetrics {
  readonly success: cloudwatch.Metric;
  readonly latency: cloudwatch.Metric;
}

export interface CanaryProps {
  readonly restApiUrl: string;
  readonly webSocketUrl: string;
  readonly userPool: cognito.IUserPool;
  readonly table: dynamodb.ITable;
  /** The stack's EMF namespace (RemotePop/<stackName>). */
  readonly metricsNamespace: string;
  readonly interval: Duration;
  readonly logRetention: logs.RetentionDays;
  readonly logRemovalPolicy: RemovalPolicy;
}

/** Consecutive failed (or missing) runs before the alarm: one failure is a blip, three are an outage. */
export const CANARY_FAILURES_TO_ALARM = 3;

/**
 * The synthetic canary: every `interval` an EventBridge schedule runs the verify round trip (ops/canary/) as the
 * tenant `remote-pop-canary`, which publishes CanarySuccess (1/0) and CanaryLatency; the alarm fires after
 * CANARY_FAILURES_TO_ALARM failed runs in a row, and also when no run reports (missing data breaches). One minute of
 * timeout and no retry, so a run never overlaps the next (the interval is at least a minute) and a failure is not
 * hidden by a retry.
 */
export class Canary extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly alarm: cloudwatch.Alarm;
  /** For the dashboard: success (Minimum per run) and the round trip's latency (Maximum per run). */
  readonly metrics: CanaryMetrics;

  constructor(scope: Construct, id: string, props: CanaryProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Remote Pop canary: its own users in the pool, its own items in the table',
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    // Its two users: created on the first run (and removed again if that fails half-way), a new password every run.
    props.userPool.grant(
      role,
      'cognito-idp:AdminCreateUser',
      'cognito-idp:AdminSetUserPassword',
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminDeleteUser',
    );
    // The clean-up of its run: a Query of its tenant's partitions, a DeleteItem per key (ops/verify/tenant.ts).
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query', 'dynamodb:DeleteItem'],
        resources: [props.table.tableArn],
      }),
    );
    this.function = this.canaryFunction(props, role, logGroup);
    new events.Rule(this, 'Schedule', {
      description: 'Runs the Remote Pop canary',
      schedule: events.Schedule.rate(props.interval),
      targets: [new targets.LambdaFunction(this.function, { retryAttempts: 0 })],
    });
    const metric = (metricName: string, statistic: string) =>
      new cloudwatch.Metric({ namespace: props.metricsNamespace, metricName, statistic, period: props.interval });
    this.metrics = {
      success: metric(CANARY_METRIC.success, 'Minimum'),
      latency: metric(CANARY_METRIC.latency, 'Maximum'),
    };
    this.alarm = this.failureAlarm();
  }

  private canaryFunction(props: CanaryProps, role: iam.Role, logGroup: logs.LogGroup): nodejs.NodejsFunction {
    return new nodejs.NodejsFunction(this, 'Function', {
      entry: path.join(REPO_ROOT, 'ops', 'canary', 'lambda.ts'),
      handler: 'handler',
      description: 'Remote Pop canary: the verify round trip as a tenant of its own',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: DEFAULT_FUNCTION_MEMORY_MB,
      timeout: Duration.minutes(1),
      retryAttempts: 0,
      role,
      logGroup,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        [CANARY_ENV.restApiUrl]: props.restApiUrl,
        [CANARY_ENV.webSocketUrl]: props.webSocketUrl,
        [CANARY_ENV.userPoolId]: props.userPool.userPoolId,
        [CANARY_ENV.tableName]: props.table.tableName,
        [CANARY_ENV.tenant]: CANARY_TENANT,
        [METRICS_NAMESPACE_ENV]: props.metricsNamespace,
      },
      // The reference instance's Desktop page bundles its script with esbuild when served; the canary serves none.
      bundling: { ...LAMBDA_BUNDLING, externalModules: [...(LAMBDA_BUNDLING.externalModules ?? []), 'esbuild'] },
    });
  }

  private failureAlarm(): cloudwatch.Alarm {
    return new cloudwatch.Alarm(this, 'Failing', {
      metric: this.metrics.success,
      alarmDescription: withRunbook(
        `Canary: the verify round trip failed (or did not report) ${CANARY_FAILURES_TO_ALARM} runs in a row.`,
        RUNBOOK_SECTION.canaryFailing,
      ),
      threshold: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
      evaluationPeriods: CANARY_FAILURES_TO_ALARM,
      datapointsToAlarm: CANARY_FAILURES_TO_ALARM,
      // A canary that does not run is not a canary that passes.
      treatMissingData: cloudwatch.TreatMissingData.BREACHING,
    });
  }
}
