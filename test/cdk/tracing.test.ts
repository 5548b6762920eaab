/**
 * The stack's X-Ray sampling rule (lib/tracing.ts): scoped to this stack's REST stage, from the settings, before
 * X-Ray's default rule; cdk-nag has nothing to say about it.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { SAMPLING_RULE_PRIORITY } from '../../lib/tracing';
import { DEFAULT_SETTINGS } from '../../lib/stackSettings';
import { synthStack } from './support';

const rulesOf = (context: Record<string, unknown> = {}) => {
  const synthesized = synthStack(context);
  const rules = Object.values(synthesized.template.findResources('AWS::XRay::SamplingRule')) as {
    Properties: { SamplingRule: Record<string, unknown> };
  }[];
  return { synthesized, rules: rules.map((r) => r.Properties.SamplingRule) };
};

test('one rule for the REST stage of this stack, at the default rate and reservoir', () => {
  const { synthesized, rules } = rulesOf();
  expect(rules).toHaveLength(1);
  const rule = rules[0]!;
  expect(rule).toMatchObject({
    RuleName: 'RemotePop-rest',
    FixedRate: DEFAULT_SETTINGS.xraySamplingRate,
    ReservoirSize: DEFAULT_SETTINGS.xraySamplingReservoir,
    ServiceName: `${synthesized.stack.restApi.api.restApiName}/${DEFAULT_SETTINGS.stageName}`,
    ServiceType: 'AWS::ApiGateway::Stage',
    Version: 1,
  });
  // Before X-Ray's default rule (priority 10,000), which it refines for this stack only.
  expect(rule.Priority).toBe(SAMPLING_RULE_PRIORITY);
  expect(SAMPLING_RULE_PRIORITY).toBeLessThan(10_000);
  expect(rule.ServiceName).not.toContain('*');
});

test('the settings set the rate and the reservoir; the name fits 32 characters', () => {
  const app = rulesOf({ xraySamplingRate: '0.5', xraySamplingReservoir: 2, stageName: 'beta' });
  expect(app.rules[0]).toMatchObject({ FixedRate: 0.5, ReservoirSize: 2 });
  expect(String(app.rules[0]!.ServiceName)).toMatch(/\/beta$/);
  expect(String(app.rules[0]!.RuleName).length).toBeLessThanOrEqual(32);
});

test('cdk-nag AwsSolutions: no finding on the sampling rule', () => {
  const { synthesized } = rulesOf();
  const findings = new AwsSolutionsChecks().validateScope(synthesized.stack.tracing).violations.map((v) => v.ruleName);
  expect(findings).toEqual([]);
});
