/**
 * The local stack itself: what the local API Gateway answers on its own, and how it hands events to handlers.
 * Part 1 runs against the shared e2e stack (real handlers, real emulators) and relies on no handler internals.
 * Part 2 runs a second gateway in this process with fixture handlers, to check event shapes and failure paths.
 */
import { readFileSync } from 'fs';
import WebSocket from 'ws';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { GATEWAY_ANSWERS } from '../../lambdas/edge/gatewayResponses';
import { handlerMap, startGateway, type LocalGateway } from '../../local/gateway';
import type { GatewayLog } from '../../local/gateway/log';
import {
  connectInstance,
  createUser,
  dropConnection,
  handshakeStatus,
  initiateAuth,
  readEndpoints,
  uniqueTenant,
} from './support';
import { FIXTURE_HANDLERS } from './support/fixtures/handlers';
import { lastEvent, seen } from './support/fixtures/handlers/recorder';

const endpoints = readEndpoints();

function managementClient(endpoint: string): ApiGatewayManagementApiClient {
  return new ApiGatewayManagementApiClient({
    endpoint,
    region: endpoints.Region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

async function json(response: Response): Promise<any> {
  return JSON.parse(await response.text());
}

function expectEnvelope(body: any, code: string): void {
  expect(body).toEqual({
    Success: false,
    Result: null,
    Version: expect.any(String),
    RequestId: expect.any(String),
    Error: { Code: code, Message: expect.any(String) },
  });
}

describe('shared e2e local stack', () => {
  const connectionsEndpoint = endpoints.WebSocketUrl.replace(/^ws:/, 'http:');
  const management = managementClient(connectionsEndpoint);
  afterAll(() => management.destroy());

  test('endpoints.json has the deployed stack output keys plus the emulator endpoints', () => {
    // GIVEN the file globalSetup points at
    const file = JSON.parse(readFileSync(process.env.E2E_ENDPOINTS_FILE!, 'utf8'));
    // THEN
    expect(Object.keys(file).sort()).toEqual(
      [
        'CognitoEndpoint',
        'DynamoDbEndpoint',
        'Region',
        'RestApiUrl',
        'TableName',
        'UserPoolClientId',
        'UserPoolId',
        'WebSocketUrl',
        'WebhookQueueUrl',
        'WebhookDeadLetterQueueUrl',
        'StreamFailureQueueUrl',
        'DynamoDbStreamsEndpoint',
        // The KMS emulation holding the webhook secrets' key (local/kms/).
        'KmsEndpoint',
        // The REST API's id and its usage plan control plane (local/gateway/usagePlanApi.ts), for the provisioning CLI.
        'RestApiId',
        'ApiGatewayEndpoint',
      ].sort(),
    );
    expect(file).toEqual(endpoints);
    expect(file.RestApiUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);
    expect(file.WebSocketUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/v1$/);
  });

  test.each([
    ['GET', '/v1/no-such-route'],
    ['GET', '/v1/pop'],
    ['DELETE', '/v1/auth'],
    ['GET', '/v2/auth'],
  ])('%s %s: API Gateway answers missingAuthenticationToken in the envelope', async (method, urlPath) => {
    const response = await fetch(`${endpoints.RestApiUrl.replace(/\/v1$/, '')}${urlPath}`, { method });
    expect(response.status).toBe(404);
    expectEnvelope(await json(response), GATEWAY_ANSWERS.missingAuthenticationToken.code);
  });

  test.each([
    ['no Authorization header', undefined],
    ['a malformed token', 'Bearer not-a-jwt'],
    ['an empty Bearer', 'Bearer '],
  ])('POST /pop with %s: 401 Unauthorized envelope, the handler never runs', async (_what, authorization) => {
    const response = await fetch(`${endpoints.RestApiUrl}/pop`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        ...(authorization !== undefined ? { Authorization: authorization } : {}),
      },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expectEnvelope(await json(response), 'Unauthorized');
  });

  test('POST /pop with an AccessToken: 401, as a Cognito authorizer without scopes', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const tokens = await initiateAuth(user.username, user.password);
    const response = await fetch(`${endpoints.RestApiUrl}/pop`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${tokens.AccessToken}` },
      body: '{}',
    });
    expect(response.status).toBe(401);
    expectEnvelope(await json(response), 'Unauthorized');
  });

  test('a body over 10 MB: 413 PayloadTooLarge envelope', async () => {
    const response = await fetch(`${endpoints.RestApiUrl}/pop`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expectEnvelope(await json(response), GATEWAY_ANSWERS.requestTooLarge.code);
  });

  test('WebSocket handshake without Authorization is refused with 401', async () => {
    expect(await handshakeStatus(undefined)).toBe(401);
  });

  test('@connections on an unknown id: the real SDK client raises GoneException', async () => {
    const ConnectionId = 'Zm9vYmFyYmF6cXV4+/=';
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId, Data: Buffer.from('{"Type":"Pop"}') })),
    ).rejects.toBeInstanceOf(GoneException);
    await expect(management.send(new GetConnectionCommand({ ConnectionId }))).rejects.toBeInstanceOf(GoneException);
  });

  test('a dropped connection (test hook) closes with 1006 and is gone for @connections', async () => {
    // GIVEN an instance connected with a real token (real authorizer and $connect)
    const user = await createUser(uniqueTenant(), 'instance');
    const { IdToken } = await initiateAuth(user.username, user.password);
    const instance = await connectInstance(IdToken, { instance: 'drop-test' });
    expect(instance.connectionId).not.toBe('');
    await management.send(
      new PostToConnectionCommand({ ConnectionId: instance.connectionId, Data: Buffer.from('{"Type":"Hello"}') }),
    );
    await instance.waitForMessage((m) => m.Type === 'Hello');
    // WHEN the network "fails"
    expect(await dropConnection(instance.connectionId)).toBe(true);
    // THEN
    expect((await instance.closed).code).toBe(1006);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId: instance.connectionId, Data: Buffer.from('{}') })),
    ).rejects.toBeInstanceOf(GoneException);
  });
});

describe('local gateway with fixture handlers', () => {
  let gateway: LocalGateway;
  let management: ApiGatewayManagementApiClient;
  const lines: string[] = [];
  const log: GatewayLog = { info: () => undefined, error: (line) => lines.push(line) };
  let idToken: string;
  let accessToken: string;

  beforeAll(async () => {
    gateway = await startGateway({
      restPort: 0,
      wsPort: 0,
      region: endpoints.Region,
      userPoolId: endpoints.UserPoolId,
      userPoolClientId: endpoints.UserPoolClientId,
      cognitoEndpoint: endpoints.CognitoEndpoint,
      handlers: handlerMap(FIXTURE_HANDLERS),
      bodyLimitBytes: 1024,
      testHooks: true,
      handlerTimeoutMs: 300,
      log,
    });
    management = managementClient(gateway.connectionsEndpoint);
    const user = await createUser(uniqueTenant(), 'api');
    const tokens = await initiateAuth(user.username, user.password);
    idToken = tokens.IdToken;
    accessToken = tokens.AccessToken;
  });
  afterAll(async () => {
    management.destroy();
    await gateway.stop();
  });

  const wsConnect = (mode: string | undefined, query = '') =>
    new Promise<{ status: number; socket?: WebSocket; id?: string }>((resolve, reject) => {
      const socket = new WebSocket(`${gateway.webSocketUrl}${query}`, {
        headers: mode === undefined ? {} : { Authorization: mode },
      });
      let id: string | undefined;
      socket.once('upgrade', (res) => (id = decodeURIComponent(String(res.headers['x-local-connection-id']))));
      socket.once('open', () => resolve({ status: 101, socket, ...(id ? { id } : {}) }));
      socket.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode ?? 0 }));
      socket.once('error', reject);
    });
  const nextMessage = (socket: WebSocket) =>
    new Promise<string>((resolve) => socket.once('message', (data) => resolve(data.toString())));
  const closeOf = (socket: WebSocket) =>
    new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  const waitFor = async (check: () => boolean, ms = 2000) => {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  test('REST proxy event and context have API Gateway shape; the result headers come back merged', async () => {
    const response = await fetch(`${gateway.restApiUrl}/auth?x=1&x=2&y=%C3%A9`, { headers: { 'X-Custom': 'a' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-fixture')).toBe('authToken');
    expect(response.headers.get('set-cookie')).toBe('a=1, b=2');
    const event = lastEvent('authToken');
    expect(event).toMatchObject({
      resource: '/auth',
      path: '/auth',
      httpMethod: 'GET',
      queryStringParameters: { x: '2', y: 'é' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['é'] },
      pathParameters: null,
      stageVariables: null,
      body: null,
      isBase64Encoded: false,
      requestContext: {
        resourcePath: '/auth',
        httpMethod: 'GET',
        path: '/v1/auth',
        stage: 'v1',
        requestId: expect.any(String),
        requestTimeEpoch: expect.any(Number),
        protocol: 'HTTP/1.1',
        identity: { sourceIp: '127.0.0.1' },
        authorizer: null,
      },
    });
    expect(event.headers['X-Custom']).toBe('a');
    expect(event.multiValueHeaders['X-Custom']).toEqual(['a']);
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    const { context } = seen.find((s) => s.event === event)!;
    expect(context.functionName).toBe('remote-pop-local-authToken');
    expect(typeof context.awsRequestId).toBe('string');
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(300);
  });

  test.each([
    ['Bearer <IdToken>', (t: string) => `Bearer ${t}`],
    ['the raw IdToken', (t: string) => t],
  ])('the REST Lambda authorizer accepts %s and hands the claims over as its flat context', async (_what, header) => {
    const response = await fetch(`${gateway.restApiUrl}/pop`, {
      method: 'POST',
      headers: { Authorization: header(idToken) },
      body: '{"a":1}',
    });
    expect(response.status).toBe(202);
    const { claims } = await json(response);
    expect(claims['cognito:groups']).toBe('api-callers');
    expect(claims['custom:tenant']).toMatch(/^tenant-/);
    expect(claims['cognito:username']).toBe(claims.principalId);
    expect(typeof claims.iat).toBe('number');
    // The authorizer ran on the REQUEST event API Gateway builds for it: the method ARN of this request.
    expect(lastEvent('restAuthorizer')).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/:localrest\/v1\/POST\/pop$/),
    });
    // Binary media types */* (REST_BINARY_MEDIA_TYPES): the body arrives as the bytes sent, base64.
    expect(lastEvent('pop')).toMatchObject({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true });
  });

  test('the REST authorizer refuses an AccessToken with 401', async () => {
    const response = await fetch(`${gateway.restApiUrl}/pop`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(response.status).toBe(401);
  });

  test('path parameters come from the resource template', async () => {
    const response = await fetch(`${gateway.restApiUrl}/pops/abc-123`, { headers: { Authorization: idToken } });
    expect(response.status).toBe(200);
    expect(lastEvent('popStatus')).toMatchObject({
      resource: '/pops/{PopId}',
      path: '/pops/abc-123',
      pathParameters: { PopId: 'abc-123' },
      requestContext: { resourcePath: '/pops/{PopId}', path: '/v1/pops/abc-123' },
    });
  });

  test.each([
    ['throws', 'throw', 502],
    ['returns garbage', 'garbage', 502],
    ['times out', 'slow', 504],
  ])('a handler that %s: %i default5xx envelope and a log line without the event', async (_what, id, status) => {
    lines.length = 0;
    const response = await fetch(`${gateway.restApiUrl}/pops/${id}`, { headers: { Authorization: idToken } });
    expect(response.status).toBe(status);
    expectEnvelope(await json(response), GATEWAY_ANSWERS.default5xx.code);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('popStatus');
    expect(lines[0]).not.toContain(idToken.slice(0, 20));
  });

  test('a body over the limit: 413', async () => {
    const response = await fetch(`${gateway.restApiUrl}/auth/refresh`, { method: 'POST', body: 'x'.repeat(1025) });
    expect(response.status).toBe(413);
  });

  test('the stage throttle answers 429 throttled with Retry-After', async () => {
    const throttled = await startGateway({
      restPort: 0,
      wsPort: 0,
      region: endpoints.Region,
      userPoolId: endpoints.UserPoolId,
      userPoolClientId: endpoints.UserPoolClientId,
      cognitoEndpoint: endpoints.CognitoEndpoint,
      handlers: handlerMap(FIXTURE_HANDLERS),
      throttle: { rate: 0.01, burst: 1 },
      log,
    });
    try {
      expect((await fetch(`${throttled.restApiUrl}/auth`)).status).toBe(200);
      const second = await fetch(`${throttled.restApiUrl}/auth`);
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expectEnvelope(await json(second), 'TooManyRequests');
    } finally {
      await throttled.stop();
    }
  });

  test.each([
    ['no Authorization header (the authorizer does not run)', undefined, 401],
    ['an authorizer that throws Unauthorized', 'unauthorized', 401],
    ['an explicit Deny', 'deny', 403],
    ['an Allow on another resource', 'elsewhere', 403],
    ['$connect answering 403', 'refuse', 403],
  ])('WebSocket handshake with %s: %i', async (_what, mode, status) => {
    const before = seen.filter((s) => s.handler === 'wsAuthorizer').length;
    expect((await wsConnect(mode)).status).toBe(status);
    const after = seen.filter((s) => s.handler === 'wsAuthorizer').length;
    expect(after - before).toBe(mode === undefined ? 0 : 1);
  });

  test('an accepted connection: REQUEST authorizer input, $connect and message events, two-way routes', async () => {
    const { socket, id } = await wsConnect('Bearer allow', '?instance=i1');
    expect(id).toMatch(/^[A-Za-z0-9+/]{14}[A-Za-z0-9+/=]{2}$/);
    const auth = lastEvent('wsAuthorizer');
    expect(auth).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/^arn:aws:execute-api:us-east-1:\d{12}:\w+\/v1\/\$connect$/),
      headers: { Authorization: 'Bearer allow' },
      queryStringParameters: { instance: 'i1' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: id, stage: 'v1' },
    });
    const connect = lastEvent('wsConnect');
    expect(connect.requestContext.authorizer).toMatchObject({
      principalId: 'u1',
      tenant: 't1',
      instance: 'i1',
      integrationLatency: expect.any(Number),
    });

    socket!.send('{"Action":"Ping"}');
    expect(JSON.parse(await nextMessage(socket!))).toEqual({ Type: 'Pong' });
    const ping = lastEvent('wsPing');
    expect(ping.headers).toBeUndefined();
    expect(ping).toMatchObject({
      body: '{"Action":"Ping"}',
      isBase64Encoded: false,
      requestContext: {
        routeKey: 'Ping',
        eventType: 'MESSAGE',
        messageId: expect.any(String),
        connectionId: id,
        authorizer: { tenant: 't1', principalId: 'u1' },
        connectedAt: connect.requestContext.connectedAt,
      },
    });

    // not JSON, unknown Action -> $default; one connection's messages run in order
    socket!.send('hello');
    expect(JSON.parse(await nextMessage(socket!))).toEqual({ Echo: 'hello' });
    const replies: string[] = [];
    socket!.on('message', (data) => replies.push(data.toString()));
    socket!.send('{"Action":"Nope","Seq":1,"DelayMs":150}');
    socket!.send('{"Seq":2}');
    await waitFor(() => replies.length === 2);
    expect(replies.map((r) => JSON.parse(r).Seq)).toEqual([1, 2]);
    expect(JSON.parse(replies[0]!).RouteKey).toBe('$default');

    // a failing handler: API Gateway's own error message, and the connection stays open
    socket!.send('throw');
    await waitFor(() => replies.length === 3);
    expect(JSON.parse(replies[2]!)).toMatchObject({ message: 'Internal server error', connectionId: id });

    // close -> $disconnect with the client's status and reason
    socket!.close(1000, 'bye');
    await waitFor(() => lastEvent('wsDisconnect')?.requestContext.connectionId === id);
    expect(lastEvent('wsDisconnect').requestContext).toMatchObject({
      eventType: 'DISCONNECT',
      disconnectStatusCode: 1000,
      disconnectReason: 'bye',
      authorizer: { tenant: 't1' },
    });
  });

  test('@connections: PostToConnection, GetConnection, DeleteConnection, then Gone', async () => {
    const { socket, id } = await wsConnect('allow');
    const ConnectionId = id!;
    const received = nextMessage(socket!);
    await management.send(new PostToConnectionCommand({ ConnectionId, Data: Buffer.from('{"Type":"Pop"}') }));
    expect(await received).toBe('{"Type":"Pop"}');
    const info = await management.send(new GetConnectionCommand({ ConnectionId }));
    expect(info.ConnectedAt).toBeInstanceOf(Date);
    expect(info.Identity?.SourceIp).toBe('127.0.0.1');
    const closed = closeOf(socket!);
    await management.send(new DeleteConnectionCommand({ ConnectionId }));
    expect((await closed).code).toBe(1000);
    await waitFor(() => lastEvent('wsDisconnect')?.requestContext.connectionId === ConnectionId);
    await expect(
      management.send(new PostToConnectionCommand({ ConnectionId, Data: Buffer.from('x') })),
    ).rejects.toBeInstanceOf(GoneException);
  });

  test('dropping a connection: no close frame (1006) and no $disconnect', async () => {
    const { socket, id } = await wsConnect('allow');
    const closed = closeOf(socket!);
    const dropped = await fetch(
      `${gateway.connectionsEndpoint.replace(/\/v1$/, '')}/__local/connections/${encodeURIComponent(id!)}/drop`,
      { method: 'POST' },
    );
    expect(dropped.status).toBe(200);
    expect((await closed).code).toBe(1006);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen.some((s) => s.handler === 'wsDisconnect' && s.event.requestContext.connectionId === id)).toBe(false);
  });

  test('a frame over 32 KB or a message over 128 KB closes the connection with 1009', async () => {
    const big = await wsConnect('allow');
    const bigClosed = closeOf(big.socket!);
    big.socket!.send('x'.repeat(33 * 1024));
    expect((await bigClosed).code).toBe(1009);

    const fragmented = await wsConnect('allow');
    const fragmentedClosed = closeOf(fragmented.socket!);
    const chunk = 'y'.repeat(30 * 1024);
    for (let i = 0; i < 4; i += 1) fragmented.socket!.send(chunk, { fin: false });
    fragmented.socket!.send(chunk, { fin: true });
    expect((await fragmentedClosed).code).toBe(1009);
  });
});
