import { synthStack } from './support';

/** The edge's settings as docs/edge.md describes them: TLS on every endpoint. */
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const withDomain = { restDomainName: 'api.example.com', restCertificateArn: CERTIFICATE };

describe('the routes that take no token have their own lower limit', () => {
  test('GET /auth and POST /auth/refresh: a method setting each, apart from the stage default of every method', () => {
    const { template } = synthStack({ authThrottleRate: 2, authThrottleBurst: 4 });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    const settings = stage!.Properties.MethodSettings as Record<string, unknown>[];
    const limit = { ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 };
    expect(settings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ HttpMethod: '*', ResourcePath: '/*', ThrottlingRateLimit: 50 }),
        expect.objectContaining({ HttpMethod: 'GET', ResourcePath: '/~1auth', ...limit }),
        expect.objectContaining({ HttpMethod: 'POST', ResourcePath: '/~1auth~1refresh', ...limit }),
      ]),
    );
    expect(settings).toHaveLength(3);
  });
});

describe('TLS 1.2 at least on every REST endpoint', () => {
  test('by default the execute-api endpoint has an enhanced policy (TLS 1.2 and 1.3) in STRICT access mode', () => {
    const { template } = synthStack();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PQ_2025_09',
      EndpointAccessMode: 'STRICT',
      DisableExecuteApiEndpoint: false,
    });
  });

  test('the custom domain takes the same policy and access mode as the API; both are settings', () => {
    const { template } = synthStack({
      ...withDomain,
      restSecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      restEndpointAccessMode: 'BASIC',
    });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'BASIC',
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'BASIC',
    });
  });

  test('disableExecuteApiEndpoint turns the default endpoint off and RestApiUrl names the custom domain', () => {
    const { template } = synthStack({ ...withDomain, disableExecuteApiEndpoint: 'true' });
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
    const url = JSON.stringify(template.toJSON().Outputs.RestApiUrl.Value);
    expect(url).toContain('https://api.example.com/');
    expect(url).not.toContain('execute-api');
  });

  test('with the endpoint on, RestApiUrl stays the execute-api URL', () => {
    const { template } = synthStack(withDomain);
    expect(JSON.stringify(template.toJSON().Outputs.RestApiUrl.Value)).toContain('.execute-api.');
  });

  test('disableExecuteApiEndpoint without a custom domain is refused (the API would be reachable nowhere)', () => {
    expect(() => synthStack({ disableExecuteApiEndpoint: true })).toThrow(
      /Invalid setting "disableExecuteApiEndpoint"/,
    );
  });
});

describe('a WAF rate rule per source IP', () => {
  const webAcls = (context: Record<string, unknown>) =>
    Object.values(synthStack(context).template.findResources('AWS::WAFv2::WebACL'));

  test('is on by default in prod, at 20,000 requests per IP per 5 minutes, and off by default in dev', () => {
    const [prod] = webAcls({ environment: 'prod' });
    expect(prod!.Properties.Rules[0].Statement.RateBasedStatement).toMatchObject({
      Limit: 20_000,
      AggregateKeyType: 'IP',
    });
    expect(webAcls({})).toEqual([]);
  });

  test('wafRateLimitPer5Minutes sets the limit in either environment', () => {
    const [prod] = webAcls({ environment: 'prod', wafRateLimitPer5Minutes: 500 });
    expect(prod!.Properties.Rules[0].Statement.RateBasedStatement.Limit).toBe(500);
  });
});
