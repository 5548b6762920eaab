import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { refusal } from '../support/refusal';
import { secretHash } from '../../../lambdas/auth/appClient';
import { openRefreshToken, sealRefreshToken } from '../../../lambdas/auth/refreshEnvelope';
import { issueTokens, refreshTokens } from '../../../lambdas/auth/tokenIssuer';

// The emulator cannot throttle, fail upstream or demand a password reset: those paths are shown with a mocked client.
const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const cognitoMock = mockClient(cognito);
const SECRET = 'client-secret';
const deps = {
  cognito,
  userPoolId: 'us-east-1_pool',
  clientId: 'client',
  clientSecret: () => Promise.resolve(SECRET),
  now: () => 1_700_000_000_000,
};
const credentials = { username: 'crm', password: 'secret' };
const context = {
  IpAddress: '203.0.113.7',
  ServerName: 'api.example.com',
  ServerPath: '/auth',
  HttpHeaders: [{ headerName: 'User-Agent', headerValue: 'crm/1.0' }],
};
/** The API's RefreshToken around Cognito's `refresh` of user `crm`, as GET /auth returns it. */
const sealed = sealRefreshToken(SECRET, { username: 'crm', cognitoRefreshToken: 'refresh' });

const jwt = (payload: Record<string, unknown>) =>
  ['e30', Buffer.from(JSON.stringify(payload)).toString('base64url'), 'sig'].join('.');

function awsError(name: string): Error {
  const error = new Error(name);
  error.name = name;
  return error;
}

beforeEach(() => {
  cognitoMock.reset();
  cognitoMock.on(AdminGetUserCommand).resolves({
    Username: 'crm',
    UserAttributes: [
      { Name: 'email', Value: 'crm@example.com' },
      { Name: 'custom:tenant', Value: 'acme' },
    ],
    UserCreateDate: new Date('2026-01-02T03:04:05Z'),
    UserLastModifiedDate: new Date('2026-02-03T04:05:06Z'),
    UserStatus: 'CONFIRMED',
  });
});

describe('issueTokens', () => {
  it('returns the contract envelope, deriving ExpiresIn from the IdToken when Cognito omits it', async () => {
    const idToken = jwt({ exp: 1_700_000_000 + 3600, 'cognito:username': 'crm' });
    cognitoMock
      .on(AdminInitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: idToken, AccessToken: 'access', RefreshToken: 'refresh' } });
    const result = await issueTokens(deps, credentials, context);
    expect(result).toEqual({
      Authenticated: true,
      IdToken: idToken,
      AccessToken: 'access',
      RefreshToken: sealed,
      ExpiresIn: 3600,
      User: {
        Username: 'crm',
        Email: 'crm@example.com',
        Attributes: { email: 'crm@example.com', 'custom:tenant': 'acme' },
        Created: '2026-01-02T03:04:05.000Z',
        LastUpdated: '2026-02-03T04:05:06.000Z',
        Status: 'CONFIRMED',
      },
    });
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_pool',
      ClientId: 'client',
      AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: 'crm', PASSWORD: 'secret', SECRET_HASH: secretHash(SECRET, 'crm', 'client') },
      ContextData: context,
    });
  });

  it("prefers Cognito's own ExpiresIn", async () => {
    cognitoMock
      .on(AdminInitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: jwt({ exp: 1 }), AccessToken: 'a', ExpiresIn: 300 } });
    expect(await issueTokens(deps, credentials, context)).toMatchObject({ ExpiresIn: 300 });
  });

  it.each([
    ['NotAuthorizedException', 401, 'NotAuthorized'],
    ['UserNotFoundException', 401, 'NotAuthorized'],
    ['InvalidPasswordException', 401, 'NotAuthorized'],
    ['PasswordResetRequiredException', 403, 'PasswordResetRequired'],
    ['TooManyRequestsException', 429, 'TooManyRequests'],
    ['InternalErrorException', 502, 'UpstreamError'],
    ['ResourceNotFoundException', 502, 'UpstreamError'],
  ])('maps %s to %i %s', async (name, status, code) => {
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError(name));
    const error = await refusal(issueTokens(deps, credentials, context));
    expect([error.statusCode, error.code]).toEqual([status, code]);
  });

  it('gives one message for wrong password and unknown user so usernames cannot be probed', async () => {
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    const wrongPassword = await refusal(issueTokens(deps, credentials, context));
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError('UserNotFoundException'));
    const unknownUser = await refusal(issueTokens(deps, credentials, context));
    expect(wrongPassword.message).toBe(unknownUser.message);
  });

  it('sends Retry-After with 429', async () => {
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError('TooManyRequestsException'));
    expect((await refusal(issueTokens(deps, credentials, context))).headers['Retry-After']).toBe('1');
  });

  it('answers a NEW_PASSWORD_REQUIRED challenge with 403 PasswordResetRequired', async () => {
    cognitoMock.on(AdminInitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    expect((await refusal(issueTokens(deps, credentials, context))).code).toBe('PasswordResetRequired');
  });
});

describe('refreshTokens', () => {
  it("opens the envelope: Cognito's token with the SECRET_HASH of its user; new tokens without a RefreshToken", async () => {
    cognitoMock.on(AdminInitiateAuthCommand).resolves({
      AuthenticationResult: { IdToken: jwt({ exp: 1_700_000_600, 'cognito:username': 'crm' }), AccessToken: 'a2' },
    });
    const result = await refreshTokens(deps, sealed, context);
    expect(result).not.toHaveProperty('RefreshToken');
    expect(result).toMatchObject({ AccessToken: 'a2', ExpiresIn: 600, User: { Username: 'crm' } });
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)[0]!.args[0].input).toEqual({
      UserPoolId: 'us-east-1_pool',
      ClientId: 'client',
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'refresh', SECRET_HASH: secretHash(SECRET, 'crm', 'client') },
      ContextData: context,
    });
  });

  it('answers a refresh token Cognito refuses with 401 NotAuthorized', async () => {
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    expect((await refusal(refreshTokens(deps, sealed, context))).code).toBe('NotAuthorized');
  });

  it('names the refresh token, not a username or password, when it is refused', async () => {
    cognitoMock.on(AdminInitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    const error = await refusal(refreshTokens(deps, sealed, context));
    expect([error.statusCode, error.code]).toEqual([401, 'NotAuthorized']);
    expect(error.message).toMatch(/refresh token/i);
    expect(error.message).not.toMatch(/username|password/i);
  });

  const tampered: [string, string][] = [
    ['a bare Cognito refresh token of the client before the envelope', 'eyJjdHkiOiJKV1QifQ.a.b.c.d'],
    [
      'another username in the envelope',
      sealed.replace(/^rp1\.[^.]+\./, `rp1.${Buffer.from('boss').toString('base64url')}.`),
    ],
    ['another Cognito token in the envelope', sealed.replace('.refresh.', '.refresh2.')],
    [
      'an envelope sealed with another secret',
      sealRefreshToken('other', { username: 'crm', cognitoRefreshToken: 'refresh' }),
    ],
    ['a cut envelope', sealed.slice(0, -3)],
    ['no envelope at all', 'rp1.'],
  ];
  it.each(tampered)('refuses %s with 401 NotAuthorized, without asking Cognito', async (_name, token) => {
    const error = await refusal(refreshTokens(deps, token, context));
    expect([error.statusCode, error.code]).toEqual([401, 'NotAuthorized']);
    expect(error.message).toMatch(/sign in again with GET \/auth/);
    expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
  });

  it('answers 502 UpstreamError, naming nothing of the secret, when the secret cannot be read', async () => {
    const error = await refusal(
      refreshTokens({ ...deps, clientSecret: () => Promise.reject(new Error(`secret ${SECRET}`)) }, sealed, context),
    );
    expect([error.statusCode, error.code]).toEqual([502, 'UpstreamError']);
    expect(JSON.stringify(error)).not.toContain(SECRET);
  });
});

describe('the envelope and SECRET_HASH', () => {
  it("computes SECRET_HASH as AWS documents it: Base64(HMAC_SHA256(secret, username + client id)) (openssl's answer)", () => {
    // echo -n "crm1example23clientid" | openssl dgst -sha256 -hmac "s3cr3t-of-the-client" -binary | base64
    expect(secretHash('s3cr3t-of-the-client', 'crm1example', '23clientid')).toBe(
      'nOuUtNWdSkoKpHIztheyTt1Rv38Z+946rBQUtACr4ls=',
    );
  });

  it("round-trips a name and Cognito's five-part JWE refresh token, and opens nothing else", () => {
    const grant = { username: 'Crm.User@acme', cognitoRefreshToken: 'eyJjdHkiOiJKV1QifQ.k.iv.cipher.tag' };
    const token = sealRefreshToken(SECRET, grant);
    expect(token).toMatch(/^rp1\./);
    expect(openRefreshToken(SECRET, token)).toEqual(grant);
    expect(openRefreshToken('another secret', token)).toBeUndefined();
    expect(openRefreshToken(SECRET, grant.cognitoRefreshToken)).toBeUndefined();
  });

  it('fits the contract: a 1,800-character Cognito token and a 128-character name stay under 4,096 characters', () => {
    const token = sealRefreshToken(SECRET, { username: 'u'.repeat(128), cognitoRefreshToken: 'x'.repeat(1800) });
    expect(token.length).toBeLessThan(4096);
  });
});

describe('a disabled user', () => {
  it('is refused with the same 401 NotAuthorized even where the identity provider issued tokens', async () => {
    cognitoMock
      .on(AdminInitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: jwt({ exp: 1 }), AccessToken: 'a' } });
    cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'crm', Enabled: false, UserStatus: 'CONFIRMED' });
    const error = await refusal(issueTokens(deps, credentials, context));
    expect([error.statusCode, error.code]).toEqual([401, 'NotAuthorized']);
  });
});
