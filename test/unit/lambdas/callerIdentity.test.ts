import type { APIGatewayProxyEvent } from 'aws-lambda';
import { callerFromEvent, parseGroups, requireApiCaller, roleOf } from '../../../lambdas/auth/callerIdentity';
import { checkedGroupName } from '../../../lambdas/shared/identity';
import { refusal } from '../support/refusal';

const eventWithClaims = (claims: Record<string, string> | undefined) =>
  ({ requestContext: { authorizer: claims ? { claims } : undefined } }) as unknown as APIGatewayProxyEvent;

describe('caller identity from API Gateway claims', () => {
  it.each([
    ['a REST API comma-separated string', 'api-callers,other', ['api-callers', 'other']],
    ['an HTTP API bracketed string', '[api-callers other]', ['api-callers', 'other']],
    ['a single group', 'api-callers', ['api-callers']],
    ['an empty string', '', []],
  ])('parses groups from %s', (_, raw, groups) => {
    expect(parseGroups(raw)).toEqual(groups);
  });

  it('parses a real array too', () => {
    expect(parseGroups(['a', 'b'])).toEqual(['a', 'b']);
  });

  it('reads username, tenant and groups from string claims', () => {
    const caller = callerFromEvent(
      eventWithClaims({
        'cognito:username': 'crm',
        'custom:tenant': 'acme',
        'cognito:groups': 'api-callers',
        exp: 'Fri Jul 29 18:52:53 UTC 2016',
      }),
    );
    expect(caller).toEqual({ username: 'crm', tenant: 'acme', groups: ['api-callers'] });
    expect(requireApiCaller(caller)).toBe(caller);
  });

  it('refuses a scripting instance with 403 Forbidden', async () => {
    const caller = callerFromEvent(
      eventWithClaims({ 'cognito:username': 'inst', 'custom:tenant': 'acme', 'cognito:groups': 'scripting-instances' }),
    );
    expect(await refusal(() => requireApiCaller(caller))).toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it.each([
    ['a group named "x,api-callers"', 'x,api-callers'],
    ['a group named "x api-callers"', 'x api-callers'],
    ['both role groups', 'api-callers,scripting-instances'],
    ['a role group and an unknown one', 'api-callers,admins'],
  ])('grants no role for %s: 403 Forbidden', async (_, groups) => {
    const caller = callerFromEvent(
      eventWithClaims({ 'cognito:username': 'u', 'custom:tenant': 'acme', 'cognito:groups': groups }),
    );
    expect(await refusal(() => requireApiCaller(caller))).toMatchObject({ statusCode: 403, code: 'Forbidden' });
  });

  it('grants a role only for exactly one known role group', () => {
    expect(roleOf(['api-callers'])).toBe('api-callers');
    expect(roleOf(['scripting-instances'])).toBe('scripting-instances');
    expect(roleOf([])).toBeUndefined();
    expect(roleOf(['x', 'api-callers'])).toBeUndefined();
  });

  it('refuses group names with a comma or white space (the stack and the provisioning CLI use this check)', () => {
    expect(checkedGroupName('api-callers')).toBe('api-callers');
    for (const name of ['x,api-callers', 'x api-callers', 'a\tb', ''])
      expect(() => checkedGroupName(name)).toThrow(/without commas/);
  });

  it('refuses an event without claims or tenant with 401', async () => {
    for (const claims of [undefined, { 'cognito:username': 'x' }]) {
      const error = await refusal(() => callerFromEvent(eventWithClaims(claims)));
      expect([error.statusCode, error.code]).toEqual([401, 'Unauthorized']);
    }
  });
});
