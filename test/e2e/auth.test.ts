/**
 * Every row of the contract's GET /auth and POST /auth/refresh lines, and the token checks of POST /pop, end to end
 * on the local stack with the real Cognito emulator. Paths the emulator cannot produce (throttling, upstream errors)
 * are unit tests of the token issuer with a mocked client (test/unit/lambdas/tokenIssuer.test.ts).
 */
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminAddUserToGroupCommand,
  AdminInitiateAuthCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readClientSecret, secretHash } from '../../lambdas/auth/appClient';
import { createTenantUser } from '../../provisioning/tenantUsers';
import { recordSecret } from './support/secrets';
import {
  callApi,
  basic,
  cognito,
  createUser,
  getToken,
  handshakeStatus,
  initiateAuth,
  pop,
  readEndpoints,
  uniqueName,
  uniqueTenant,
} from './support';

const auth = (authorization?: string) =>
  callApi('GET', '/auth', authorization === undefined ? {} : { headers: { Authorization: authorization } });

function expectFailure(answer: Awaited<ReturnType<typeof callApi>>, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual({
    Success: false,
    Result: null,
    Version: expect.any(String),
    RequestId: expect.any(String),
    Error: expect.objectContaining({ Code: code, Message: expect.any(String) }),
  });
}

describe('GET /auth', () => {
  it('returns the token envelope with the User block, dates in ISO 8601', async () => {
    const tenant = uniqueTenant();
    const username = uniqueName('crm');
    const password = recordSecret('password', 'Str0ng-Passw0rd!');
    await createTenantUser(cognito(), readEndpoints().UserPoolId, {
      tenant,
      role: 'api',
      username,
      password,
      email: `${username}@example.com`,
    });

    const answer = await auth(basic(username, password));
    expect(answer.status).toBe(200);
    const result = answer.body.Result;
    expect(answer.body).toMatchObject({ Success: true, Version: expect.any(String), RequestId: expect.any(String) });
    expect(result).toEqual({
      Authenticated: true,
      IdToken: expect.any(String),
      AccessToken: expect.any(String),
      RefreshToken: expect.any(String),
      ExpiresIn: expect.any(Number),
      User: {
        Username: username,
        Email: `${username}@example.com`,
        Attributes: expect.objectContaining({ 'custom:tenant': tenant, email: `${username}@example.com` }),
        Created: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
        LastUpdated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        Status: 'CONFIRMED',
      },
    });
    // One hour by default (the emulator leaves ExpiresIn out; the handler derives it from the token).
    expect(result.ExpiresIn).toBeGreaterThan(3500);
    expect(result.ExpiresIn).toBeLessThanOrEqual(3600);
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });

  it('answers no Authorization header with 401 MissingCredentials and a Basic challenge', async () => {
    const answer = await auth();
    expectFailure(answer, 401, 'MissingCredentials');
    expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
  });

  it.each([
    ['another scheme', 'Bearer abc'],
    ['text that is not base64', 'Basic %%%'],
    ['credentials without a colon', `Basic ${Buffer.from('nocolon').toString('base64')}`],
  ])('answers %s with 400 InvalidAuthorizationHeader', async (_, header) => {
    expectFailure(await auth(header), 400, 'InvalidAuthorizationHeader');
  });

  it('answers wrong password, unknown user and disabled user alike: 401 NotAuthorized, one message', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const disabled = await createUser(uniqueTenant(), 'api');
    await cognito().send(
      new AdminDisableUserCommand({ UserPoolId: readEndpoints().UserPoolId, Username: disabled.username }),
    );

    const answers = await Promise.all([
      auth(basic(user.username, `${user.password}-wrong`)),
      auth(basic(uniqueName('nobody'), 'Whatever-1!')),
      auth(basic(disabled.username, disabled.password)),
    ]);
    for (const answer of answers) expectFailure(answer, 401, 'NotAuthorized');
    expect(new Set(answers.map((a) => a.body.Error!.Message)).size).toBe(1);
  });

  it('accepts a password with colons and non-ASCII characters (UTF-8)', async () => {
    const tenant = uniqueTenant();
    const username = uniqueName('utf');
    const password = recordSecret('password', 'Pä:ss:wörd-€-9Z');
    await createTenantUser(cognito(), readEndpoints().UserPoolId, { tenant, role: 'api', username, password });
    const answer = await auth(basic(username, password));
    expect(answer.status).toBe(200);
    expect(answer.body.Result.User.Username).toBe(username);
  });

  it('answers a user who must set a new password with 403 PasswordResetRequired', async () => {
    const { UserPoolId } = readEndpoints();
    const username = uniqueName('fresh');
    recordSecret('password', 'Temp-Passw0rd!');
    await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: username,
        TemporaryPassword: 'Temp-Passw0rd!',
        MessageAction: 'SUPPRESS',
        UserAttributes: [{ Name: 'custom:tenant', Value: uniqueTenant() }],
      }),
    );
    await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'api-callers' }));
    expectFailure(await auth(basic(username, 'Temp-Passw0rd!')), 403, 'PasswordResetRequired');
  });
});

describe('POST /auth/refresh', () => {
  it('returns new tokens in the same envelope, without a new RefreshToken', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const first = await getToken(user.username, user.password);
    const answer = await callApi('POST', '/auth/refresh', { body: { RefreshToken: first.RefreshToken } });
    expect(answer.status).toBe(200);
    expect(answer.body.Result).toMatchObject({
      Authenticated: true,
      IdToken: expect.any(String),
      AccessToken: expect.any(String),
      User: { Username: user.username },
    });
    expect(answer.body.Result.RefreshToken).toBeUndefined();
    // The refreshed IdToken is good for a pop's authorizer (an agent on no Desktop: 404, past the 401 stage).
    expect((await pop(answer.body.Result.IdToken, { Username: 'nobody', Campaign: 'Sales' })).status).toBe(404);
  });

  it('answers an invalid refresh token with 401 NotAuthorized', async () => {
    expectFailure(
      await callApi('POST', '/auth/refresh', { body: { RefreshToken: 'not-a-refresh-token' } }),
      401,
      'NotAuthorized',
    );
  });

  it("answers Cognito's own refresh token (what a caller of the secret-less client kept) with 401 NotAuthorized", async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const straight = await initiateAuth(user.username, user.password);
    const answer = await callApi('POST', '/auth/refresh', { body: { RefreshToken: straight.RefreshToken } });
    expectFailure(answer, 401, 'NotAuthorized');
    expect(answer.body.Error?.Message).toMatch(/sign in again with GET \/auth/);
  });

  it("answers the API's RefreshToken with another user's name in it with 401 NotAuthorized", async () => {
    const tenant = uniqueTenant();
    const [user, other] = [await createUser(tenant, 'api'), await createUser(tenant, 'api')];
    const { RefreshToken } = await getToken(user.username, user.password);
    const parts = RefreshToken!.split('.');
    parts[1] = Buffer.from(other.username).toString('base64url');
    expectFailure(
      await callApi('POST', '/auth/refresh', { body: { RefreshToken: parts.join('.') } }),
      401,
      'NotAuthorized',
    );
  });

  it.each([
    ['no body', undefined],
    ['a body that is not JSON', '{"RefreshToken":'],
    ['a missing RefreshToken', {}],
    ['an unknown field', { RefreshToken: 'x', Extra: 1 }],
  ])('answers %s with 400 InvalidRequest', async (_, body) => {
    expectFailure(await callApi('POST', '/auth/refresh', body === undefined ? {} : { body }), 400, 'InvalidRequest');
  });
});

describe('sign-in only through the API: the app client refuses what Cognito refuses (local/cognitoChecks.js)', () => {
  const client = () => ({ UserPoolId: readEndpoints().UserPoolId, ClientId: readEndpoints().UserPoolClientId });
  const failure = (call: Promise<unknown>) =>
    call.then(
      () => 'signed in',
      (error: Error) => `${error.name}: ${error.message}`,
    );

  it('refuses USER_PASSWORD_AUTH at Cognito (the flow the public could call without IAM)', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const attempt = cognito().send(
      new InitiateAuthCommand({
        ClientId: client().ClientId,
        AuthFlow: 'USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password },
      }),
    );
    expect(await failure(attempt)).toBe(
      'InvalidParameterException: USER_PASSWORD_AUTH flow not enabled for this client',
    );
  });

  it.each([
    [
      'no SECRET_HASH',
      undefined,
      /^NotAuthorizedException: Client \S+ is configured for secret but secret was not received$/,
    ],
    ['a wrong SECRET_HASH', 'AAAA', /^NotAuthorizedException: SecretHash does not match for the client: \S+$/],
  ])('refuses AdminInitiateAuth with %s', async (_name, hash, expected) => {
    const user = await createUser(uniqueTenant(), 'api');
    const attempt = cognito().send(
      new AdminInitiateAuthCommand({
        ...client(),
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: user.username, PASSWORD: user.password, ...(hash ? { SECRET_HASH: hash } : {}) },
      }),
    );
    expect(await failure(attempt)).toMatch(expected);
  });

  it("refreshes only with the SECRET_HASH of the refresh token's own user", async () => {
    const tenant = uniqueTenant();
    const [user, other] = [await createUser(tenant, 'api'), await createUser(tenant, 'api')];
    const { RefreshToken } = await initiateAuth(user.username, user.password);
    const secret = await readClientSecret(cognito(), { userPoolId: client().UserPoolId, clientId: client().ClientId });
    const refresh = (name: string) =>
      cognito().send(
        new AdminInitiateAuthCommand({
          ...client(),
          AuthFlow: 'REFRESH_TOKEN_AUTH',
          AuthParameters: { REFRESH_TOKEN: RefreshToken!, SECRET_HASH: secretHash(secret, name, client().ClientId) },
        }),
      );
    expect(await failure(refresh(other.username))).toMatch(/^NotAuthorizedException: SecretHash does not match/);
    expect(await failure(refresh(user.username))).toBe('signed in');
  });
});

describe('tokens on POST /pop', () => {
  const body = { Username: 'agent1', Campaign: 'Sales' };

  it('refuses no token with 401 in the envelope', async () => {
    expectFailure(await callApi('POST', '/pop', { body }), 401, 'Unauthorized');
  });

  it('refuses an AccessToken (the authorizer accepts IdTokens only) with 401', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const tokens = await initiateAuth(user.username, user.password);
    expectFailure(await pop(tokens.AccessToken, body), 401, 'Unauthorized');
  });

  it('refuses an IdToken whose tenant was tampered with (the signature no longer matches) with 401', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const { IdToken } = await getToken(user.username, user.password);
    const [header, payload, signature] = IdToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    claims['custom:tenant'] = 'someone-else';
    const forged = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    expectFailure(await pop(forged, body), 401, 'Unauthorized');
  });

  it('refuses a valid IdToken of a Scripting instance with 403 Forbidden', async () => {
    const instance = await createUser(uniqueTenant(), 'instance');
    const { IdToken } = await getToken(instance.username, instance.password);
    expectFailure(await pop(IdToken, body), 403, 'Forbidden');
  });
});

/**
 * cognito-local signs with one fixed key shipped in its package: re-signing a real token's claims with it gives a
 * token the pool itself could have issued, so an expired one can be made without waiting an hour.
 */
function resign(idToken: string, change: (claims: Record<string, unknown>) => void): string {
  const keyFile = join(__dirname, '../../node_modules/cognito-local/lib/keys/cognitoLocal.private.json');
  const key = createPrivateKey({ key: JSON.parse(readFileSync(keyFile, 'utf8')).jwk, format: 'jwk' });
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
  change(claims);
  const signed = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signed}.${sign('RSA-SHA256', Buffer.from(signed), key).toString('base64url')}`;
}

describe('expired tokens', () => {
  const now = () => Math.floor(Date.now() / 1000);

  it('are refused on POST /pop with 401, while the same claims re-signed unexpired pass the authorizer', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const { IdToken } = await getToken(user.username, user.password);
    const fresh = resign(IdToken, (claims) => (claims.exp = now() + 600));
    const expired = resign(IdToken, (claims) => {
      claims.iat = now() - 3700;
      claims.exp = now() - 100;
    });
    expect((await pop(fresh, { Username: 'nobody', Campaign: 'Sales' })).status).toBe(404);
    const answer = await pop(expired, { Username: 'nobody', Campaign: 'Sales' });
    expectFailure(answer, 401, 'Unauthorized');
  });

  it('are refused at the WebSocket handshake with 401', async () => {
    const instance = await createUser(uniqueTenant(), 'instance');
    const { IdToken } = await getToken(instance.username, instance.password);
    expect(await handshakeStatus(resign(IdToken, (claims) => (claims.exp = now() + 600)))).toBe(101);
    expect(await handshakeStatus(resign(IdToken, (claims) => (claims.exp = now() - 100)))).toBe(401);
  });
});
