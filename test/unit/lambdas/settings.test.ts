import { HANDLER_NEEDS } from '../../../lambdas/handlerNeeds';
import { ConfigurationError, readSettings } from '../../../lambdas/shared/settings';

const popEnvironment = {
  AWS_REGION: 'eu-west-1',
  TABLE_NAME: 'remote-pop',
  CONNECTIONS_ENDPOINT: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1',
};

describe('readSettings (the one reader of the Lambdas environment, checked against contract/lambdaEnvironment.ts)', () => {
  it('reads what the function needs, with the defaults of the optional numbers', () => {
    // WHEN
    const settings = readSettings(popEnvironment, HANDLER_NEEDS.pop);
    // THEN
    expect(settings).toMatchObject({
      ...{ region: 'eu-west-1', tableName: 'remote-pop' },
      claimWindowSeconds: 60,
      popRetentionDays: 3,
    });
    expect(settings.connectionsEndpoint).toBe(popEnvironment.CONNECTIONS_ENDPOINT);
  });

  it('reads the claim window and retention when set', () => {
    const settings = readSettings(
      { ...popEnvironment, CLAIM_WINDOW_SECONDS: '5', POP_RETENTION_DAYS: '30' },
      HANDLER_NEEDS.pop,
    );
    expect([settings.claimWindowSeconds, settings.popRetentionDays]).toEqual([5, 30]);
  });

  it.each([
    ['a missing variable the function needs', { AWS_REGION: 'eu-west-1' }, /TABLE_NAME: is required/],
    ['a blank one, as if missing', { ...popEnvironment, TABLE_NAME: '  ' }, /TABLE_NAME: is required/],
    [
      'a claim window that is not a positive whole number',
      { ...popEnvironment, CLAIM_WINDOW_SECONDS: '0' },
      /CLAIM_WINDOW_SECONDS/,
    ],
    ['a retention that is not a number', { ...popEnvironment, POP_RETENTION_DAYS: 'three' }, /POP_RETENTION_DAYS/],
    ['an endpoint that is not a URL', { ...popEnvironment, CONNECTIONS_ENDPOINT: 'abc' }, /CONNECTIONS_ENDPOINT/],
  ])('stops the cold start on %s, naming the variable', (_, environment, message) => {
    expect(() => readSettings(environment, HANDLER_NEEDS.pop)).toThrow(ConfigurationError);
    expect(() => readSettings(environment, HANDLER_NEEDS.pop)).toThrow(message);
  });

  it('asks each function only for what it needs (HANDLER_NEEDS)', () => {
    expect(() => readSettings({}, HANDLER_NEEDS.wsPing)).not.toThrow();
    expect(() => readSettings({ AWS_REGION: 'r', USER_POOL_ID: 'p' }, HANDLER_NEEDS.authToken)).toThrow(
      /USER_POOL_CLIENT_ID: is required/,
    );
    expect(() => readSettings({ AWS_REGION: 'r', TABLE_NAME: 't' }, HANDLER_NEEDS.popStatus)).not.toThrow();
  });
});
