import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GATEWAY_ANSWERS } from '../../lambdas/edge/gatewayResponses';
import { logicalId, synthStack } from './support';

// One synth for the file. GIVEN every optional setting on: WAF, both custom domains, alarm e-mail, prod
const REST_CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WS_CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000';
const { stack, template } = synthStack({
  environment: 'prod',
  wafRateLimitPer5Minutes: '2000',
  restDomainName: 'api.example.com',
  restCertificateArn: REST_CERTIFICATE,
  webSocketDomainName: 'ws.example.com',
  webSocketCertificateArn: WS_CERTIFICATE,
  alarmEmail: 'ops@example.com',
});

describe('WAF (wafRateLimitPer5Minutes)', () => {
  test('a regional web ACL: allow by default, block above the limit per source IP in 5 minutes, 429 in the envelope', () => {
    template.resourceCountIs('AWS::WAFv2::WebACL', 1);
    const acl = Object.values(template.findResources('AWS::WAFv2::WebACL'))[0].Properties;
    expect(acl).toMatchObject({ Scope: 'REGIONAL', DefaultAction: { Allow: {} }, Name: 'RemotePop-rest' });
    expect(acl.Rules).toHaveLength(1);
    expect(acl.Rules[0]).toMatchObject({
      Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP', EvaluationWindowSec: 300 } },
      Action: { Block: { CustomResponse: { ResponseCode: 429, CustomResponseBodyKey: 'TooManyRequests' } } },
      VisibilityConfig: { CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true },
    });
    const body = JSON.parse(acl.CustomResponseBodies.TooManyRequests.Content);
    expect(body).toMatchObject({ Success: false, Result: null, Error: { Code: GATEWAY_ANSWERS.throttled.code } });
  });

  test('associated with the REST API stage', () => {
    const association = Object.values(template.findResources('AWS::WAFv2::WebACLAssociation'))[0].Properties;
    expect(association.WebACLArn).toEqual({ 'Fn::GetAtt': [logicalId(stack.restApi.webAcl!), 'Arn'] });
    const arn = JSON.stringify(association.ResourceArn);
    expect(arn).toContain(`{"Ref":"${logicalId(stack.restApi.api)}"}`);
    expect(arn).toContain(`{"Ref":"${logicalId(stack.restApi.api.deploymentStage)}"}`);
  });

  test('cdk-nag stays clean and APIG3 needs no acknowledgement any more', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual([]);
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
      .flatMap((m) => Object.keys(m.data as object));
    expect(acknowledged.some((id) => id.includes('AwsSolutions-APIG3'))).toBe(false);
  });

  test('the dashboard charts the requests the rule blocked', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0].Properties.DashboardBody,
    );
    expect(body).toContain('\\"AWS/WAFV2\\",\\"BlockedRequests\\"');
    expect(body).toContain('\\"WebACL\\",\\"RemotePop-rest\\"');
  });
});

describe('custom domains', () => {
  test('REST: a regional domain name, TLS 1.2, its certificate, the stage mapped under its own name', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: REST_CERTIFICATE,
      EndpointConfiguration: { Types: ['REGIONAL'] },
      // An enhanced policy: TLS 1.2 and 1.3 (lib/stackSettings.ts restSecurityPolicy, docs/edge.md).
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      DomainName: { Ref: logicalId(stack.restApi.domainName!) },
      RestApiId: { Ref: logicalId(stack.restApi.api) },
      Stage: { Ref: logicalId(stack.restApi.api.deploymentStage) },
      BasePath: 'v1',
    });
  });

  test('WebSocket: a regional domain name, TLS 1.2, its certificate, an API mapping under the stage name', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::DomainName', {
      DomainName: 'ws.example.com',
      DomainNameConfigurations: [
        { CertificateArn: WS_CERTIFICATE, EndpointType: 'REGIONAL', SecurityPolicy: 'TLS_1_2' },
      ],
    });
    template.hasResource('AWS::ApiGatewayV2::ApiMapping', {
      Properties: {
        ApiId: { Ref: logicalId(stack.webSocketApi.api) },
        ApiMappingKey: 'v1',
        DomainName: { Ref: logicalId(stack.webSocketApi.domainName!) },
        Stage: 'v1',
      },
      DependsOn: [logicalId(stack.webSocketApi.stage)],
    });
  });

  test('outputs name the DNS targets to point the domains at', () => {
    template.hasOutput('RestDomainTarget', {
      Value: { 'Fn::GetAtt': [logicalId(stack.restApi.domainName!), 'RegionalDomainName'] },
    });
    template.hasOutput('WebSocketDomainTarget', {
      Value: { 'Fn::GetAtt': [logicalId(stack.webSocketApi.domainName!), 'RegionalDomainName'] },
    });
  });
});

describe('limits per tenant with the canary on (prod)', () => {
  test("the canary's tenant has its API key in the stack, on the default plan, with the value the authorizer names", () => {
    const keys = Object.values(template.findResources('AWS::ApiGateway::ApiKey'));
    expect(keys).toHaveLength(1);
    expect(keys[0].Properties).toMatchObject({
      Enabled: true,
      Value: { 'Fn::Join': ['', ['remote-pop-', { Ref: logicalId(stack.restApi.api) }, '-remote-pop-canary']] },
    });
    const usagePlanKeys = Object.values(template.findResources('AWS::ApiGateway::UsagePlanKey'));
    expect(usagePlanKeys.map((k) => k.Properties)).toEqual([
      expect.objectContaining({ KeyType: 'API_KEY', UsagePlanId: { Ref: logicalId(stack.restApi.defaultUsagePlan) } }),
    ]);
  });
});
