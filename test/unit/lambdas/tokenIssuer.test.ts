import {
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { refusal } from '../support/refusal';
import { issueTokens, refreshTokens } from '../../../lambdas/auth/tokenIssuer';

// The emulator cannot throttle, fail upstream or demand a password reset: those paths are shown with a mocked client.
const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const cognitoMock = mockClient(cognito);
const deps = { cognito, userPoolId: 'us-east-1_pool', clientId: 'client', now: () => 1_700_000_000_000 };
const credentials = { username: 'crm', password: 'secret' };

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
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: idToken, AccessToken: 'access', RefreshToken: 'refresh' } });
    const result = await issueTokens(deps, credentials);
    expect(result).toEqual({
      Authenticated: true,
      IdToken: idToken,
      AccessToken: 'access',
      RefreshToken: 'refresh',
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
    expect(cognitoMock.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toMatchObject({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'client',
      AuthParameters: { USERNAME: 'crm', PASSWORD: 'secret' },
    });
  });

  it("prefers Cognito's own ExpiresIn", async () => {
    cognitoMock
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: jwt({ exp: 1 }), AccessToken: 'a', ExpiresIn: 300 } });
    expect(await issueTokens(deps, credentials)).toMatchObject({ ExpiresIn: 300 });
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
    cognitoMock.on(InitiateAuthCommand).rejects(awsError(name));
    const error = await refusal(issueTokens(deps, credentials));
    expect([error.statusCode, error.code]).toEqual([status, code]);
  });

  it('gives one message for wrong password and unknown user so usernames cannot be probed', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    const wrongPassword = await refusal(issueTokens(deps, credentials));
    cognitoMock.on(InitiateAuthCommand).rejects(awsError('UserNotFoundException'));
    const unknownUser = await refusal(issueTokens(deps, credentials));
    expect(wrongPassword.message).toBe(unknownUser.message);
  });

  it('sends Retry-After with 429', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(awsError('TooManyRequestsException'));
    expect((await refusal(issueTokens(deps, credentials))).headers['Retry-After']).toBe('1');
  });

  it('answers a NEW_PASSWORD_REQUIRED challenge with 403 PasswordResetRequired', async () => {
    cognitoMock.on(InitiateAuthCommand).resolves({ ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' });
    expect((await refusal(issueTokens(deps, credentials))).code).toBe('PasswordResetRequired');
  });
});

describe('refreshTokens', () => {
  it('returns new tokens without a RefreshToken', async () => {
    cognitoMock.on(InitiateAuthCommand).resolves({
      AuthenticationResult: { IdToken: jwt({ exp: 1_700_000_600, 'cognito:username': 'crm' }), AccessToken: 'a2' },
    });
    const result = await refreshTokens(deps, 'refresh');
    expect(result).not.toHaveProperty('RefreshToken');
    expect(result).toMatchObject({ AccessToken: 'a2', ExpiresIn: 600, User: { Username: 'crm' } });
    expect(cognitoMock.commandCalls(InitiateAuthCommand)[0]!.args[0].input).toMatchObject({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'refresh' },
    });
  });

  it('answers an invalid refresh token with 401 NotAuthorized', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    expect((await refusal(refreshTokens(deps, 'bad'))).code).toBe('NotAuthorized');
  });

  it('names the refresh token, not a username or password, when it is refused', async () => {
    cognitoMock.on(InitiateAuthCommand).rejects(awsError('NotAuthorizedException'));
    const error = await refusal(refreshTokens(deps, 'bad'));
    expect([error.statusCode, error.code]).toEqual([401, 'NotAuthorized']);
    expect(error.message).toMatch(/refresh token/i);
    expect(error.message).not.toMatch(/username|password/i);
  });
});

describe('a disabled user', () => {
  it('is refused with the same 401 NotAuthorized even where the identity provider issued tokens', async () => {
    cognitoMock
      .on(InitiateAuthCommand)
      .resolves({ AuthenticationResult: { IdToken: jwt({ exp: 1 }), AccessToken: 'a' } });
    cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'crm', Enabled: false, UserStatus: 'CONFIRMED' });
    const error = await refusal(issueTokens(deps, credentials));
    expect([error.statusCode, error.code]).toEqual([401, 'NotAuthorized']);
  });
});
