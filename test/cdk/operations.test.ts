import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CANARY_FAILURES_TO_ALARM } from '../../lib/canary';
import { CANARY_ENV } from '../../ops/canary/environment';
import { CANARY_METRIC, CANARY_TENANT } from '../../ops/canary/canary';
import { logicalId, synthStack, type Synthesized } from './support';

/** The operations parts of the stack: the canary, the table's daily backup, and a table adopted by name. */
const resourcesOf = (synthesized: Synthesized, type: string) =>
  Object.values(synthesized.template.findResources(type)) as { Properties: Record<string, any> }[];

const nagFindings = (synthesized: Synthesized): string[] =>
  new AwsSolutionsChecks()
    .validateScope(synthesized.stack)
    .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);

describe('prod: the canary and the backup plan are on', () => {
  const prod = synthStack({ environment: 'prod', backupRetentionDays: 90, canaryIntervalMinutes: 10 });

  test('a scheduled function runs the round trip as the canary tenant, against this stack', () => {
    const canary = prod.stack.canary!;
    expect(canary).toBeDefined();
    prod.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(10 minutes)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    const [fn] = resourcesOf(prod, 'AWS::Lambda::Function').filter(
      (f) => f.Properties.Environment?.Variables?.[CANARY_ENV.tenant],
    );
    expect(fn!.Properties).toMatchObject({ Timeout: 60, Runtime: 'nodejs24.x', Architectures: ['arm64'] });
    expect(fn!.Properties.Environment.Variables).toMatchObject({
      [CANARY_ENV.tenant]: CANARY_TENANT,
      POWERTOOLS_METRICS_NAMESPACE: prod.stack.metricsNamespace,
    });
  });

  test('its alarm: CanarySuccess below 1 for consecutive runs, and no run at all is a failure', () => {
    prod.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: CANARY_METRIC.success,
      Namespace: prod.stack.metricsNamespace,
      Statistic: 'Minimum',
      Period: 600,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      EvaluationPeriods: CANARY_FAILURES_TO_ALARM,
      DatapointsToAlarm: CANARY_FAILURES_TO_ALARM,
      TreatMissingData: 'breaching',
    });
    expect(prod.stack.observability.alarms).toContain(prod.stack.canary!.alarm);
  });

  test('least privilege: its users in the pool, Query and DeleteItem on the table, its own logs', () => {
    const role = prod.stack.canary!.function.role!;
    const policies = resourcesOf(prod, 'AWS::IAM::Policy').filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some(
        (r) => r.Ref === prod.stack.resolve((role.node.defaultChild as any).ref).Ref,
      ),
    );
    const actions = policies.flatMap((p) =>
      p.Properties.PolicyDocument.Statement.flatMap((s: any) => [s.Action].flat()),
    );
    expect(actions.sort()).toEqual(
      [
        'cognito-idp:AdminAddUserToGroup',
        'cognito-idp:AdminCreateUser',
        'cognito-idp:AdminDeleteUser',
        'cognito-idp:AdminSetUserPassword',
        'dynamodb:DeleteItem',
        'dynamodb:Query',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
      ].sort(),
    );
  });

  test('a daily AWS Backup of the table, kept backupRetentionDays, in a retained vault', () => {
    prod.template.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: {
        BackupPlanRule: [
          Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 90 } }),
        ],
      },
    });
    prod.template.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
    const [selection] = resourcesOf(prod, 'AWS::Backup::BackupSelection');
    expect(JSON.stringify(selection!.Properties.BackupSelection.Resources)).toContain(
      logicalId(prod.stack.storage.table),
    );
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(prod)).toEqual([]);
  });
});

test('the canary calls the REST API where callers do: its custom domain when the execute-api endpoint is off', () => {
  const { template } = synthStack({
    canary: 'true',
    restDomainName: 'api.example.com',
    restCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666',
    disableExecuteApiEndpoint: 'true',
  });
  const restApiUrl = template.toJSON().Outputs.RestApiUrl.Value;
  expect(JSON.stringify(restApiUrl)).toContain('https://api.example.com/');
  template.hasResourceProperties('AWS::Lambda::Function', {
    Environment: { Variables: Match.objectLike({ [CANARY_ENV.restApiUrl]: restApiUrl }) },
  });
});

describe('dev: neither by default; the canary when asked for', () => {
  test('defaults: no canary, no backup plan', () => {
    const dev = synthStack();
    expect(dev.stack.canary).toBeUndefined();
    dev.template.resourceCountIs('AWS::Backup::BackupPlan', 0);
    dev.template.resourceCountIs('AWS::Events::Rule', 0);
  });

  test('canary=true turns it on, canary=false turns it off in prod', () => {
    expect(synthStack({ canary: 'true' }).stack.canary).toBeDefined();
    expect(synthStack({ environment: 'prod', canary: 'false' }).stack.canary).toBeUndefined();
  });
});

describe('adoptTableName: serving from a restored table', () => {
  const adopted = synthStack({ environment: 'prod', adoptTableName: 'remote-pop-restored' });

  test('creates no table, and turns on the stream, TTL and PITR of the named one by SDK calls at deploy time', () => {
    adopted.template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const calls = resourcesOf(adopted, 'Custom::AWS').map((r) => JSON.stringify(r.Properties.Create));
    const joined = calls.join('\n');
    for (const expected of [
      '\\"action\\":\\"UpdateTable\\"',
      '\\"StreamViewType\\":\\"NEW_AND_OLD_IMAGES\\"',
      '\\"action\\":\\"UpdateTimeToLive\\"',
      '\\"AttributeName\\":\\"ExpiresAt\\"',
      '\\"action\\":\\"UpdateContinuousBackups\\"',
      '\\"action\\":\\"DescribeTable\\"',
      '\\"TableName\\":\\"remote-pop-restored\\"',
    ])
      expect(joined).toContain(expected);
  });

  test('the event feed reads the adopted table stream, the functions use its name, the backup plan covers it', () => {
    adopted.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('StorageReadStream'), 'Table.LatestStreamArn'] },
    });
    expect(adopted.stack.storage.table.tableName).toBe('remote-pop-restored');
    const [selection] = resourcesOf(adopted, 'AWS::Backup::BackupSelection');
    expect(JSON.stringify(selection!.Properties.BackupSelection.Resources)).toContain('table/remote-pop-restored');
  });

  test('cdk-nag AwsSolutions: no unacknowledged finding', () => {
    expect(nagFindings(adopted)).toEqual([]);
  });
});

test("prod's dashboard charts the canary's success and latency", () => {
  const prod = synthStack({ environment: 'prod' });
  const [dashboard] = resourcesOf(prod, 'AWS::CloudWatch::Dashboard');
  const body = JSON.stringify(dashboard!.Properties.DashboardBody);
  for (const name of [CANARY_METRIC.success, CANARY_METRIC.latency]) expect(body).toContain(name);
});
