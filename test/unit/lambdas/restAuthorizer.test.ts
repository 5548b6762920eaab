import { apiCallerOf, callerFromEvent } from '../../../lambdas/auth/callerIdentity';
import { InvalidTokenError, type IdentityClaims } from '../../../lambdas/auth/idTokenVerifier';
import { makeRestAuthorizer, tokenOf } from '../../../lambdas/auth/restAuthorizer';
import { issuedAtOf } from '../../../lambdas/auth/revocations';
import { restApiIdOf, tenantUsageKey } from '../../../lambdas/auth/tenantUsageKey';
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/v1/GET/pops/p-1';
const IDENTITY: IdentityClaims = {
  username: 'caller-1',
  tenant: 'acme',
  groups: ['api-callers'],
  issuedAt: 1_700_000_000_000,
};
const verifier = {
  verify: async (token: string) => {
    if (token !== 'good') throw new InvalidTokenError('bad signature');
    return IDENTITY;
  },
};
const event = (authorization?: string) =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers: authorization === undefined ? {} : { Authorization: authorization },
    requestContext: { requestId: 'r-1' },
  }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('REST Lambda authorizer', () => {
  test('a valid IdToken: Allow on the whole stage, the claims as a flat context, the tenant key', async () => {
    const result = await makeRestAuthorizer({ verifier })(event('Bearer good'));
    expect(result.policyDocument.Statement).toEqual([
      {
        Action: 'execute-api:Invoke',
        Effect: 'Allow',
        Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abc123defg/v1/*',
      },
    ]);
    expect(result.principalId).toBe('caller-1');
    expect(result.usageIdentifierKey).toBe(tenantUsageKey('abc123defg', 'acme'));
    expect(result.usageIdentifierKey).toBe('remote-pop-abc123defg-acme');
    // GIVEN the context as the handlers receive it THEN they read the same caller as from the Cognito authorizer
    const proxy = {
      requestContext: { authorizer: { ...result.context, principalId: 'caller-1' } },
    } as unknown as APIGatewayProxyEvent;
    expect(apiCallerOf(proxy)).toEqual({ username: 'caller-1', tenant: 'acme', groups: ['api-callers'] });
    expect(issuedAtOf(proxy)).toBe(1_700_000_000_000);
  });

  test.each([
    ['no header', undefined],
    ['an invalid token', 'Bearer forged'],
    ['a blank bearer', 'Bearer '],
  ])('%s: Unauthorized (401)', async (_what, header) => {
    await expect(makeRestAuthorizer({ verifier })(event(header))).rejects.toThrow('Unauthorized');
  });

  test('a token issued before its user was revoked: Unauthorized; one issued after passes', async () => {
    const revokedAt = async () => IDENTITY.issuedAt! + 500;
    await expect(makeRestAuthorizer({ verifier, revocations: { revokedAt } })(event('good'))).rejects.toThrow(
      'Unauthorized',
    );
    const earlier = async () => IDENTITY.issuedAt! - 1000;
    await expect(
      makeRestAuthorizer({ verifier, revocations: { revokedAt: earlier } })(event('good')),
    ).resolves.toMatchObject({
      principalId: 'caller-1',
    });
  });

  test('the raw token and Bearer <token> both read, as the Cognito authorizer took them', () => {
    expect(tokenOf('abc')).toBe('abc');
    expect(tokenOf('Bearer abc')).toBe('abc');
    expect(tokenOf('  ')).toBeUndefined();
    expect(tokenOf('two words')).toBeUndefined();
  });

  test('the Cognito authorizer form (claims) still reads the same caller', () => {
    const proxy = {
      requestContext: {
        authorizer: { claims: { 'cognito:username': 'u', 'custom:tenant': 't1', 'cognito:groups': 'api-callers' } },
      },
    } as unknown as APIGatewayProxyEvent;
    expect(callerFromEvent(proxy)).toEqual({ username: 'u', tenant: 't1', groups: ['api-callers'] });
  });

  test('key values: at least 20 characters, per API and tenant; bad input refused', () => {
    expect(tenantUsageKey('localrest', 'ab').length).toBeGreaterThanOrEqual(20);
    expect(tenantUsageKey('a1', 'acme')).not.toBe(tenantUsageKey('a2', 'acme'));
    expect(() => tenantUsageKey('abc', 'Not_A_Tenant')).toThrow();
    expect(restApiIdOf(METHOD_ARN)).toBe('abc123defg');
  });
});
