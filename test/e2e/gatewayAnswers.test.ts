/**
 * The local Cognito authorizer answers as API Gateway's does (local/gateway/cognitoAuthorizer.ts): an expired IdToken
 * is UNAUTHORIZED, like any other refused token; EXPIRED_TOKEN is for SigV4 credentials only, and is not one of the
 * Gateway Responses this API defines (lambdas/edge/gatewayResponses.ts).
 */
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GATEWAY_ANSWERS } from '../../lambdas/edge/gatewayResponses';
import { createUser, getToken, pop, uniqueTenant } from './support';

/** Re-signed with cognito-local's own key (shipped in its package): a token the pool itself could have issued. */
function resign(idToken: string, change: (claims: Record<string, unknown>) => void): string {
  const keyFile = join(__dirname, '../../node_modules/cognito-local/lib/keys/cognitoLocal.private.json');
  const key = createPrivateKey({ key: JSON.parse(readFileSync(keyFile, 'utf8')).jwk, format: 'jwk' });
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  change(claims);
  const signed = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url')}`;
}

describe('the Cognito authorizer', () => {
  it('answers an expired IdToken exactly as a bad one: 401 UNAUTHORIZED, UnauthorizedException', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const { IdToken } = await getToken(user.username, user.password);
    const now = Math.floor(Date.now() / 1000);
    const expired = resign(IdToken, (claims) => {
      claims.iat = now - 3700;
      claims.exp = now - 100;
    });
    const [expiredAnswer, badAnswer] = await Promise.all([
      pop(expired, { Username: 'nobody', Campaign: 'Sales' }),
      pop('not-a-token', { Username: 'nobody', Campaign: 'Sales' }),
    ]);
    for (const answer of [expiredAnswer, badAnswer]) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
      expect(answer.body.Error).toEqual({
        Code: GATEWAY_ANSWERS.unauthorized.code,
        Message: GATEWAY_ANSWERS.unauthorized.message,
      });
    }
  });

  it('has no Gateway Response that only SigV4 requests can meet', () => {
    const types = Object.values(GATEWAY_ANSWERS).map((answer) => answer.type);
    expect(types).not.toContain('EXPIRED_TOKEN');
    expect(types).not.toContain('INVALID_SIGNATURE');
  });
});
