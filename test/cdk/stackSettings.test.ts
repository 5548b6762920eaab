import { App } from 'aws-cdk-lib';
import { HANDLER_NEEDS } from '../../lambdas/handlerNeeds';
import { RemotePopStack } from '../../lib/remotePopStack';
import {
  DEFAULT_SETTINGS,
  FUNCTION_COUNT,
  maxReservedConcurrency,
  parseSettings,
  SETTING_NAMES,
  settingsFromContext,
} from '../../lib/stackSettings';

const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-1111-2222-3333-444455556666';

/** At least one bad value per setting (SETTING_NAMES), each refused with the setting's name. */
const BAD_VALUES: readonly [string, unknown, Record<string, unknown>?][] = [
  ['stageName', ''],
  ['stageName', 'v1/beta'],
  ['stageName', 7],
  ['idTokenValidityMinutes', 'sixty'],
  ['idTokenValidityMinutes', 30.5],
  ['claimWindowSeconds', 0],
  ['claimWindowSeconds', '-5'],
  ['popRetentionDays', 0],
  ['popRetentionDays', 366],
  ['restThrottleRate', 0],
  ['restThrottleRate', 'fast'],
  ['restThrottleBurst', 0],
  ['restThrottleBurst', 1.5],
  ['authThrottleRate', 0],
  ['authThrottleBurst', 0],
  ['tenantThrottleRate', 0],
  ['tenantThrottleBurst', 5001],
  ['restAuthorizerCacheSeconds', 3601],
  ['restAuthorizerCacheSeconds', -1],
  ['webSocketThrottleRate', -1],
  ['webSocketThrottleRate', 10001],
  ['webSocketThrottleBurst', 5001],
  ['logRetentionDays', 2],
  ['logRetentionDays', 0],
  ['logRetentionDays', 'forever'],
  ['environment', 'staging'],
  ['environment', 'PROD'],
  ['lambdaReservedConcurrency', 0],
  ['streamParallelizationFactor', 0],
  ['streamParallelizationFactor', 11],
  ['xraySamplingRate', 1.5],
  ['xraySamplingRate', -0.1],
  ['xraySamplingReservoir', -1],
  ['xraySamplingReservoir', 0.5],
  ['lambdaReservedConcurrency', 'ten'],
  // One function per handler: reserving one more than (1,000 - 100) / functions each leaves under 100 unreserved.
  ['lambdaReservedConcurrency', Math.floor(900 / FUNCTION_COUNT) + 1],
  ['lambdaReservedConcurrency', 100, { lambdaAccountConcurrency: 1000 }],
  ['lambdaAccountConcurrency', 'many'],
  ['lambdaAccountConcurrency', 9],
  ['lambdaAccountConcurrency', 1000.5],
  ['apiGatewayCloudWatchRole', 'yes'],
  ['apiGatewayCloudWatchRole', 0],
  ['restDomainName', 'not a domain', { restCertificateArn: CERTIFICATE }],
  ['restDomainName', 'API.Example.com', { restCertificateArn: CERTIFICATE }],
  ['restDomainName', undefined, { restCertificateArn: CERTIFICATE }],
  ['restCertificateArn', undefined, { restDomainName: 'api.example.com' }],
  ['restCertificateArn', 'arn:aws:iam::123456789012:role/x', { restDomainName: 'api.example.com' }],
  ['webSocketDomainName', 'ws..example.com', { webSocketCertificateArn: CERTIFICATE }],
  [
    'webSocketDomainName',
    'api.example.com',
    { webSocketCertificateArn: CERTIFICATE, restDomainName: 'api.example.com', restCertificateArn: CERTIFICATE },
  ],
  ['webSocketCertificateArn', undefined, { webSocketDomainName: 'ws.example.com' }],
  ['webSocketCertificateArn', 'certificate/abc', { webSocketDomainName: 'ws.example.com' }],
  ['wafRateLimitPer5Minutes', 9],
  ['wafRateLimitPer5Minutes', 'lots'],
  ['wafRateLimitPer5Minutes', 2_000_000_001],
  ['restSecurityPolicy', 'TLS_1_0'],
  ['restSecurityPolicy', 'TLS_1_2'],
  ['restEndpointAccessMode', 'strict'],
  ['disableExecuteApiEndpoint', 'yes'],
  // The API would be reachable nowhere.
  ['disableExecuteApiEndpoint', true],
  ['alarmEmail', 'ops'],
  ['alarmEmail', 'ops@example.com, dev@example.com'],
  ['canary', 'on'],
  ['canaryIntervalMinutes', 0],
  ['canaryIntervalMinutes', 61],
  ['backupRetentionDays', 0],
  ['backupRetentionDays', 'month'],
  ['adoptTableName', 'ab'],
  ['adoptTableName', 'remote pop table'],
];

describe('parseSettings', () => {
  test('absent settings take the documented defaults', () => {
    // GIVEN no context / WHEN parsed
    const settings = parseSettings({});
    // THEN
    expect(settings).toEqual({
      stageName: 'v1',
      idTokenValidityMinutes: 60,
      claimWindowSeconds: 60,
      popRetentionDays: 3,
      restThrottleRate: 50,
      restThrottleBurst: 100,
      authThrottleRate: 5,
      authThrottleBurst: 10,
      tenantThrottleRate: 10,
      tenantThrottleBurst: 20,
      restAuthorizerCacheSeconds: 0,
      webSocketThrottleRate: 100,
      webSocketThrottleBurst: 200,
      logRetentionDays: 30,
      environment: 'dev',
      lambdaAccountConcurrency: 1000,
      streamParallelizationFactor: 10,
      xraySamplingRate: 0.05,
      xraySamplingReservoir: 0,
      apiGatewayCloudWatchRole: true,
      canaryIntervalMinutes: 5,
      backupRetentionDays: 35,
      restSecurityPolicy: 'SecurityPolicy_TLS13_1_2_PQ_2025_09',
      restEndpointAccessMode: 'STRICT',
      disableExecuteApiEndpoint: false,
    });
    expect(settings).toEqual(DEFAULT_SETTINGS);
    expect(settings.lambdaReservedConcurrency).toBeUndefined();
  });

  test('accepts strings as `cdk synth -c name=value` passes them, and numbers as cdk.json does', () => {
    // GIVEN a mix of string and number context values
    const raw = {
      stageName: 'prod_2',
      idTokenValidityMinutes: '5',
      claimWindowSeconds: 120,
      popRetentionDays: '7',
      restThrottleRate: '12.5',
      restThrottleBurst: 25,
      webSocketThrottleRate: 40,
      webSocketThrottleBurst: '80',
      logRetentionDays: '365',
      environment: 'prod',
      lambdaReservedConcurrency: '20',
      streamParallelizationFactor: '4',
      apiGatewayCloudWatchRole: 'false',
    };
    // WHEN / THEN
    expect(parseSettings(raw)).toEqual({
      stageName: 'prod_2',
      idTokenValidityMinutes: 5,
      claimWindowSeconds: 120,
      popRetentionDays: 7,
      restThrottleRate: 12.5,
      restThrottleBurst: 25,
      authThrottleRate: 5,
      authThrottleBurst: 10,
      tenantThrottleRate: 10,
      tenantThrottleBurst: 20,
      restAuthorizerCacheSeconds: 0,
      webSocketThrottleRate: 40,
      webSocketThrottleBurst: 80,
      logRetentionDays: 365,
      environment: 'prod',
      lambdaReservedConcurrency: 20,
      lambdaAccountConcurrency: 1000,
      streamParallelizationFactor: 4,
      xraySamplingRate: 0.05,
      xraySamplingReservoir: 0,
      apiGatewayCloudWatchRole: false,
      canaryIntervalMinutes: 5,
      backupRetentionDays: 35,
      restSecurityPolicy: 'SecurityPolicy_TLS13_1_2_PQ_2025_09',
      restEndpointAccessMode: 'STRICT',
      disableExecuteApiEndpoint: false,
    });
  });

  test('lambdaReservedConcurrency: every function must leave 100 of lambdaAccountConcurrency unreserved', () => {
    // One function per handler (lambdas/handlerNeeds.ts), each reserving the setting.
    const n = FUNCTION_COUNT;
    expect(n).toBe(Object.keys(HANDLER_NEEDS).length);
    const most = Math.floor(900 / n);
    expect(maxReservedConcurrency(1000)).toBe(most);
    expect(most * n).toBeLessThanOrEqual(900);
    expect((most + 1) * n).toBeGreaterThan(900);
    expect(parseSettings({ lambdaReservedConcurrency: most }).lambdaReservedConcurrency).toBe(most);
    expect(() => parseSettings({ lambdaReservedConcurrency: most + 1 })).toThrow(
      `Invalid setting "lambdaReservedConcurrency": must be at most ${most} (${n} functions each reserve it, and Lambda keeps ` +
        `100 of lambdaAccountConcurrency 1000 unreserved), got ${most + 1}`,
    );
    // A raised quota allows more: (3000 - 100) / n.
    const raised = Math.floor(2900 / n);
    expect(
      parseSettings({ lambdaReservedConcurrency: String(raised), lambdaAccountConcurrency: '3000' }),
    ).toMatchObject({
      lambdaReservedConcurrency: raised,
    });
    expect(() => parseSettings({ lambdaReservedConcurrency: raised + 1, lambdaAccountConcurrency: 3000 })).toThrow(
      new RegExp(`at most ${raised}\\b`),
    );
  });

  test("idTokenValidityMinutes accepts exactly Cognito's range 5..1440", () => {
    expect(parseSettings({ idTokenValidityMinutes: 5 }).idTokenValidityMinutes).toBe(5);
    expect(parseSettings({ idTokenValidityMinutes: 1440 }).idTokenValidityMinutes).toBe(1440);
    expect(() => parseSettings({ idTokenValidityMinutes: 4 })).toThrow(/idTokenValidityMinutes.*5 to 1440/);
    expect(() => parseSettings({ idTokenValidityMinutes: 1441 })).toThrow(/idTokenValidityMinutes/);
  });

  test.each(BAD_VALUES)('a bad %s (%p) fails with the setting named', (name, value, others = {}) => {
    // GIVEN one bad value / WHEN parsed / THEN the error names the setting
    expect(() => parseSettings({ ...others, [name]: value })).toThrow(new RegExp(`Invalid setting "${name}"`));
  });

  test.each([
    [{ idTokenValidityMinutes: 'sixty' }, 'idTokenValidityMinutes": must be an integer from 5 to 1440, got "sixty"'],
    [{ restThrottleRate: 0 }, 'restThrottleRate": must be a number above 0 and at most 10000, got 0'],
    [{ stageName: 'v1/beta' }, 'stageName": must be 1-128 letters, digits, hyphens or underscores, got "v1/beta"'],
    [{ environment: 'PROD' }, 'environment": must be "dev" or "prod", got "PROD"'],
    [
      { logRetentionDays: 2 },
      'logRetentionDays": must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, got 2',
    ],
    [{ restCertificateArn: CERTIFICATE }, 'restDomainName": is required when restCertificateArn is set, got undefined'],
    [
      { restDomainName: 'api.example.com' },
      'restCertificateArn": is required when restDomainName is set, got undefined',
    ],
    [
      { webSocketDomainName: 'ws.example.com', webSocketCertificateArn: 'certificate/abc' },
      'webSocketCertificateArn": must be an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>), got "certificate/abc"',
    ],
    [
      {
        webSocketDomainName: 'api.example.com',
        webSocketCertificateArn: CERTIFICATE,
        restDomainName: 'api.example.com',
        restCertificateArn: CERTIFICATE,
      },
      'webSocketDomainName": must differ from restDomainName, got "api.example.com"',
    ],
    [{ alarmEmail: 'ops' }, 'alarmEmail": must be one e-mail address, got "ops"'],
  ])('%p fails with the rule broken and the value given', (raw, message) => {
    // GIVEN one bad value / WHEN parsed / THEN the error says which rule and shows the value as given
    expect(() => parseSettings(raw)).toThrow(`Invalid setting "${message}`);
  });

  test('every setting has a bad value in the table above', () => {
    expect([...new Set(BAD_VALUES.map(([name]) => name))].sort()).toEqual([...SETTING_NAMES].sort());
  });

  test('optional settings: custom domains with certificates, WAF limit, alarm e-mail', () => {
    const settings = parseSettings({
      restDomainName: 'api.example.com',
      restCertificateArn: CERTIFICATE,
      webSocketDomainName: 'ws.example.com',
      webSocketCertificateArn: CERTIFICATE,
      wafRateLimitPer5Minutes: '500',
      alarmEmail: 'ops@example.com',
    });
    expect(settings).toMatchObject({
      restDomainName: 'api.example.com',
      restCertificateArn: CERTIFICATE,
      webSocketDomainName: 'ws.example.com',
      webSocketCertificateArn: CERTIFICATE,
      wafRateLimitPer5Minutes: 500,
      alarmEmail: 'ops@example.com',
    });
    expect(parseSettings({}).wafRateLimitPer5Minutes).toBeUndefined();
  });

  test('settingsFromContext reads the app context', () => {
    // GIVEN an app with context
    const app = new App({ context: { stageName: 'v2', environment: 'prod', logRetentionDays: 90 } });
    // WHEN
    const settings = settingsFromContext(app);
    // THEN
    expect(settings).toMatchObject({
      stageName: 'v2',
      environment: 'prod',
      logRetentionDays: 90,
      claimWindowSeconds: 60,
    });
  });

  test('a bad context value stops the synth before any resource exists', () => {
    // GIVEN a bad setting in context
    const app = new App({ context: { claimWindowSeconds: 'soon' } });
    // WHEN / THEN
    expect(() => settingsFromContext(app)).toThrow(/Invalid setting "claimWindowSeconds"/);
  });
});

describe('a bad setting fails the synth', () => {
  // The stack reads its settings first thing, so each case throws before any resource (or bundle) is built.
  test.each(BAD_VALUES)('%s = %p', (name, value, others = {}) => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], ...others, ...(value === undefined ? {} : { [name]: value }) },
    });
    expect(() => new RemotePopStack(app, 'RemotePop')).toThrow(new RegExp(`Invalid setting "${name}"`));
  });
});
