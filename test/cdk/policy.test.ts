import { App, Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { HANDLER_NEEDS, type HandlerName } from '../../lambdas/apiRoutes';
import { RemotePopStack } from '../../lib/remotePopStack';
import { logicalId, synthStack, type Synthesized } from './support';

/** Every acknowledgement in the tree: construct path, rule id, reason. */
function acknowledgements(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          path: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

describe.each([['dev'], ['prod']])('cdk-nag AwsSolutions on the %s stack', (environment) => {
  let synthesized: Synthesized;
  beforeAll(() => {
    synthesized = synthStack({ environment });
  });

  test('reports no unacknowledged finding, error or warning', () => {
    // WHEN the AwsSolutions pack checks the synthesized tree
    const report = new AwsSolutionsChecks().validateScope(synthesized.stack);
    // THEN
    const findings = report.violations.map(
      (v) => `${v.severity} ${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`,
    );
    expect(findings).toEqual([]);
    expect(report.success).toBe(true);
  });

  test('every acknowledgement names a rule and gives a reason a reviewer can check', () => {
    const acks = acknowledgements(synthesized.stack);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/);
      expect(ack.reason.length).toBeGreaterThan(60);
    }
    // The set of acknowledged rules is reviewed on purpose: a new one must be added here with thought.
    // APIG3 (no WAF) only in dev: prod has the per-IP rate rule by default (lib/remotePopStack.ts, docs/edge.md).
    expect([...new Set(acks.map((a) => a.id.replace(/\[.*\]$/, '')))].sort()).toEqual([
      ...(environment === 'dev' ? ['AwsSolutions-APIG3'] : []),
      'AwsSolutions-APIG4',
      'AwsSolutions-COG2',
      'AwsSolutions-COG4',
      'AwsSolutions-IAM4',
      'AwsSolutions-IAM5',
      'AwsSolutions-SQS3',
    ]);
  });
});

test('the app as bin/app.ts wires it synthesizes with the AwsSolutions plugin without a validation failure', () => {
  // GIVEN the plugin registered the way bin/app.ts does
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  new RemotePopStack(app, 'RemotePop');
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // WHEN / THEN (an unacknowledged finding makes synth throw)
  expect(() => app.synth()).not.toThrow();
});

test('the plugin does fail a synth on an unacknowledged error (the check above is not vacuous)', () => {
  // GIVEN a stack plus one resource that breaks AwsSolutions-IAM5 without an acknowledgement
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new RemotePopStack(app, 'RemotePop');
  stack.functions.byHandler.wsPing.addToRolePolicy(
    new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: [stack.storage.table.tableArn] }),
  );
  // WHEN
  const report = new AwsSolutionsChecks().validateScope(stack);
  // THEN
  expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Action::dynamodb:*]');
});

describe('environment', () => {
  const resourcesOf = ({ template }: Synthesized, type: string) => Object.values(template.findResources(type));

  test('dev: pool, table and log groups are destroyed with the stack, no deletion protection', () => {
    // GIVEN / WHEN
    const dev = synthStack({ environment: 'dev' });
    // THEN
    const [pool] = resourcesOf(dev, 'AWS::Cognito::UserPool');
    expect(pool).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(pool.Properties.DeletionProtection).toBe('INACTIVE');
    const [table] = resourcesOf(dev, 'AWS::DynamoDB::Table');
    expect(table).toMatchObject({ DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
    expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    for (const logGroup of resourcesOf(dev, 'AWS::Logs::LogGroup')) expect(logGroup.DeletionPolicy).toBe('Delete');
  });

  test('prod: pool, table and log groups are retained, pool and table refuse deletion', () => {
    // GIVEN / WHEN
    const prod = synthStack({ environment: 'prod', logRetentionDays: 365, lambdaReservedConcurrency: 5 });
    // THEN
    const [pool] = resourcesOf(prod, 'AWS::Cognito::UserPool');
    expect(pool).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(pool.Properties.DeletionProtection).toBe('ACTIVE');
    const [table] = resourcesOf(prod, 'AWS::DynamoDB::Table');
    expect(table).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
    for (const logGroup of resourcesOf(prod, 'AWS::Logs::LogGroup')) {
      expect(logGroup).toMatchObject({ DeletionPolicy: 'Retain', Properties: { RetentionInDays: 365 } });
    }
    // Every function of the API; the canary (lib/canary.ts) runs once an interval and reserves nothing.
    for (const fn of resourcesOf(prod, 'AWS::Lambda::Function').filter(
      (f) => !f.Properties.Environment?.Variables?.CANARY_TENANT,
    ))
      expect(fn.Properties.ReservedConcurrentExecutions).toBe(5);
  });

  test('settings flow into the template: stage name, token validity, claim window, throttles', () => {
    // GIVEN
    const custom = synthStack({
      stageName: 'beta',
      idTokenValidityMinutes: '15',
      claimWindowSeconds: 90,
      popRetentionDays: 7,
      restThrottleRate: 5,
      restThrottleBurst: 10,
      webSocketThrottleRate: 20,
      webSocketThrottleBurst: 30,
    });
    // THEN
    custom.template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      IdTokenValidity: 15,
      AccessTokenValidity: 15,
    });
    custom.template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'beta',
      MethodSettings: Match.arrayWith([
        Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 }),
      ]),
    });
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'beta',
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 30 },
    });
    for (const name of Object.keys(HANDLER_NEEDS) as HandlerName[]) {
      if (!HANDLER_NEEDS[name].claimSettings) continue;
      const variables =
        custom.template.toJSON().Resources[logicalId(custom.stack.functions.byHandler[name])].Properties.Environment
          .Variables;
      expect(variables).toMatchObject({ CLAIM_WINDOW_SECONDS: '90', POP_RETENTION_DAYS: '7' });
    }
  });

  test('a bad setting fails the synth with its name', () => {
    expect(() => synthStack({ idTokenValidityMinutes: 2 })).toThrow(/Invalid setting "idTokenValidityMinutes"/);
    expect(() => synthStack({ environment: 'staging' })).toThrow(/Invalid setting "environment"/);
  });
});
