import { App } from 'aws-cdk-lib';
import { DEFAULT_SETTINGS, parseSettings, settingsFromContext } from '../../lib/settings';

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
      webSocketThrottleRate: 100,
      webSocketThrottleBurst: 200,
      logRetentionDays: 30,
      environment: 'dev',
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
    };
    // WHEN / THEN
    expect(parseSettings(raw)).toEqual({
      stageName: 'prod_2',
      idTokenValidityMinutes: 5,
      claimWindowSeconds: 120,
      popRetentionDays: 7,
      restThrottleRate: 12.5,
      restThrottleBurst: 25,
      webSocketThrottleRate: 40,
      webSocketThrottleBurst: 80,
      logRetentionDays: 365,
      environment: 'prod',
      lambdaReservedConcurrency: 20,
    });
  });

  test('idTokenValidityMinutes accepts exactly Cognito\'s range 5..1440', () => {
    expect(parseSettings({ idTokenValidityMinutes: 5 }).idTokenValidityMinutes).toBe(5);
    expect(parseSettings({ idTokenValidityMinutes: 1440 }).idTokenValidityMinutes).toBe(1440);
    expect(() => parseSettings({ idTokenValidityMinutes: 4 })).toThrow(/idTokenValidityMinutes.*5 to 1440/);
    expect(() => parseSettings({ idTokenValidityMinutes: 1441 })).toThrow(/idTokenValidityMinutes/);
  });

  test.each([
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
    ['webSocketThrottleRate', -1],
    ['webSocketThrottleBurst', 5001],
    ['logRetentionDays', 2],
    ['logRetentionDays', 0],
    ['logRetentionDays', 'forever'],
    ['environment', 'staging'],
    ['environment', 'PROD'],
    ['lambdaReservedConcurrency', 0],
    ['lambdaReservedConcurrency', 'ten'],
  ])('a bad %s (%p) fails with the setting named', (name, value) => {
    // GIVEN one bad value / WHEN parsed / THEN the error names the setting
    expect(() => parseSettings({ [name]: value })).toThrow(new RegExp(`Invalid setting "${name}"`));
  });

  test('settingsFromContext reads the app context', () => {
    // GIVEN an app with context
    const app = new App({ context: { stageName: 'v2', environment: 'prod', logRetentionDays: 90 } });
    // WHEN
    const settings = settingsFromContext(app);
    // THEN
    expect(settings).toMatchObject({ stageName: 'v2', environment: 'prod', logRetentionDays: 90, claimWindowSeconds: 60 });
  });

  test('a bad context value stops the synth before any resource exists', () => {
    // GIVEN a bad setting in context
    const app = new App({ context: { claimWindowSeconds: 'soon' } });
    // WHEN / THEN
    expect(() => settingsFromContext(app)).toThrow(/Invalid setting "claimWindowSeconds"/);
  });
});
