/**
 * GET /auth and POST /auth/refresh as API Gateway calls them: the caller's request becomes Cognito's ContextData (its
 * password does not), and a refresh token that is not this API's envelope is 401 in the envelope. Cognito is mocked:
 * cognito-local ignores ContextData (the e2e tests cover the rest against it).
 */
import {
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { makeAuthRefreshHandler, makeAuthTokenHandler, tokenDependencies } from '../../../lambdas/auth/tokenHandlers';
import { lambdaContext, restEvent } from '../fuzz/harness';

const cognito = new CognitoIdentityProviderClient({ region: 'us-east-1' });
const cognitoMock = mockClient(cognito);
const SECRET = 'the-client-secret';
const idToken = [
  'e30',
  Buffer.from(JSON.stringify({ exp: 4_000_000_000, 'cognito:username': 'crm' })).toString('base64url'),
  's',
].join('.');

function withCaller(event: APIGatewayProxyEvent): APIGatewayProxyEvent {
  return {
    ...event,
    requestContext: {
      ...event.requestContext,
      identity: { sourceIp: '198.51.100.23' },
      domainName: 'api.example.com',
      path: '/v1/auth',
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

const basic = `Basic ${Buffer.from('crm:Pa55word-of-crm!').toString('base64')}`;
const signIn = () =>
  withCaller(
    restEvent({
      method: 'GET',
      resource: '/auth',
      headers: { Authorization: basic, 'User-Agent': 'crm/2.1', Cookie: 'c=1' },
    }),
  );
const refresh = (token: string) =>
  withCaller(restEvent({ method: 'POST', resource: '/auth/refresh', body: JSON.stringify({ RefreshToken: token }) }));

let deps: ReturnType<typeof tokenDependencies>;
beforeEach(() => {
  cognitoMock.reset();
  cognitoMock.on(DescribeUserPoolClientCommand).resolves({ UserPoolClient: { ClientSecret: SECRET } });
  cognitoMock.on(AdminGetUserCommand).resolves({ Username: 'crm', UserStatus: 'CONFIRMED', UserAttributes: [] });
  cognitoMock.on(AdminInitiateAuthCommand).resolves({
    AuthenticationResult: { IdToken: idToken, AccessToken: 'access', RefreshToken: 'cognito-refresh' },
  });
  deps = tokenDependencies({ userPoolId: 'us-east-1_pool', userPoolClientId: 'client' }, { cognito });
});

test("GET /auth: the caller's IP, the API's host and path and the headers but no credentials go to Cognito", async () => {
  const answer = await makeAuthTokenHandler(deps)(signIn(), lambdaContext());
  expect(answer.statusCode).toBe(200);
  const input = cognitoMock.commandCalls(AdminInitiateAuthCommand)[0]!.args[0].input;
  expect(input.ContextData).toEqual({
    IpAddress: '198.51.100.23',
    ServerName: 'api.example.com',
    ServerPath: '/v1/auth',
    HttpHeaders: [{ headerName: 'User-Agent', headerValue: 'crm/2.1' }],
  });
  expect(JSON.parse(answer.body).Result.RefreshToken).toMatch(/^rp1\./);
  // The secret was read once, with DescribeUserPoolClient on the pool and client of the settings.
  expect(cognitoMock.commandCalls(DescribeUserPoolClientCommand).map((call) => call.args[0].input)).toEqual([
    { UserPoolId: 'us-east-1_pool', ClientId: 'client' },
  ]);
});

test('POST /auth/refresh: the RefreshToken GET /auth returned gives new tokens', async () => {
  const signedIn = JSON.parse((await makeAuthTokenHandler(deps)(signIn(), lambdaContext())).body);
  const answer = await makeAuthRefreshHandler(deps)(refresh(signedIn.Result.RefreshToken), lambdaContext());
  expect(answer.statusCode).toBe(200);
  expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)[1]!.args[0].input).toMatchObject({
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters: { REFRESH_TOKEN: 'cognito-refresh' },
  });
});

test.each([
  ["Cognito's own refresh token (the one a client before this change kept)", 'cognito-refresh'],
  ['a JWE-shaped token of the old secret-less client', 'eyJjdHkiOiJKV1QifQ.a.b.c.d'],
])('POST /auth/refresh refuses %s with 401 NotAuthorized in the envelope', async (_name, token) => {
  const answer = await makeAuthRefreshHandler(deps)(refresh(token), lambdaContext());
  expect(answer.statusCode).toBe(401);
  expect(JSON.parse(answer.body)).toMatchObject({ Success: false, Error: { Code: 'NotAuthorized' } });
  expect(JSON.parse(answer.body).Error.Message).toMatch(/sign in again with GET \/auth/);
  expect(cognitoMock.commandCalls(AdminInitiateAuthCommand)).toHaveLength(0);
});
