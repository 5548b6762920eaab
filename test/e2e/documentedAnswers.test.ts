/**
 * The documents tell the truth: real answers of the local stack, provoked one by one, each validated against the
 * schema docs/openapi.json gives for that operation and status (and each status must be listed for the operation);
 * real WebSocket messages validated against docs/asyncapi.json's message payloads.
 */
import { readFileSync } from 'fs';
import * as path from 'path';
import { AdminAddUserToGroupCommand, AdminCreateUserCommand } from '@aws-sdk/client-cognito-identity-provider';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import {
  basic,
  callApi,
  cognito,
  connectInstance,
  createUser,
  getToken,
  readEndpoints,
  uniqueName,
  uniqueTenant,
  type ApiAnswer,
  type InstanceConnection,
} from './support';
import { recordSecret } from './support/secrets';

const DOCS = path.join(__dirname, '../../docs');
const openApi = JSON.parse(readFileSync(path.join(DOCS, 'openapi.json'), 'utf8'));
const asyncApi = JSON.parse(readFileSync(path.join(DOCS, 'asyncapi.json'), 'utf8'));

const ajv = new Ajv2020({ strict: false, allErrors: true });
ajv.addFormat('date-time', (value: string) => /^\d{4}-\d\d-\d\dT/.test(value) && !Number.isNaN(Date.parse(value)));
ajv.addSchema(openApi, 'openapi.json');
ajv.addSchema(asyncApi, 'asyncapi.json');

const pointer = (...segments: string[]) =>
  segments.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

const validators = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) validators.set(ref, (validate = ajv.compile({ $ref: ref })));
  return validate;
}

/** Every operation + status answered for real in this file. */
const answered = new Set<string>();

const CONTRACT_HEADERS = ['Retry-After', 'WWW-Authenticate', 'Idempotent-Replayed'];

/**
 * The answer is one the document lists for this operation, its body matches the documented schema, and each
 * contract header it carries is documented for that status.
 */
function expectDocumented(method: string, template: string, answer: ApiAnswer, status: number): void {
  const operation = openApi.paths[template]?.[method.toLowerCase()];
  expect(operation).toBeDefined();
  expect({ status: answer.status, code: answer.body?.Error?.Code }).toMatchObject({ status });
  expect(Object.keys(operation.responses)).toContain(String(status));
  const validate = validatorFor(
    `openapi.json#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`,
  );
  expect({ body: answer.body, valid: validate(answer.body), errors: validate.errors ?? null }).toMatchObject({
    valid: true,
  });
  // Each contract header the answer carries is documented for this status (some are given only with one code).
  const documentedHeaders = Object.keys(operation.responses[String(status)].headers ?? {});
  for (const header of CONTRACT_HEADERS.filter((name) => answer.headers.has(name))) {
    expect({ status, documentedHeaders }).toEqual({ status, documentedHeaders: expect.arrayContaining([header]) });
  }
  answered.add(`${operation.operationId} ${status}`);
}

function expectMessage(name: string, message: unknown): void {
  const validate = validatorFor(`asyncapi.json#/${pointer('channels', 'instance', 'messages', name, 'payload')}`);
  expect({ message, valid: validate(message), errors: validate.errors ?? null }).toMatchObject({ valid: true });
}

const opened: InstanceConnection[] = [];
afterAll(async () => {
  await Promise.all(opened.map((connection) => connection.close()));
});

async function instanceWith(
  tenant: string,
  agents: string[],
): Promise<{ connection: InstanceConnection; idToken: string }> {
  const user = await createUser(tenant, 'instance');
  const { IdToken } = await getToken(user.username, user.password);
  const connection = await connectInstance(IdToken, { instance: 'desk-1' });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  connection.send({ Action: 'Ping' });
  expectMessage('Pong', await connection.waitForMessage((m) => m.Type === 'Pong'));
  return { connection, idToken: IdToken };
}

let tenant: string;
let caller: { username: string; password: string };
let idToken: string;
let refreshToken: string;
let instance: { connection: InstanceConnection; idToken: string };

beforeAll(async () => {
  tenant = uniqueTenant();
  caller = await createUser(tenant, 'api');
  instance = await instanceWith(tenant, ['agent1', 'agent2']);
});

describe('GET /auth', () => {
  it('200 with tokens', async () => {
    const answer = await callApi('GET', '/auth', {
      headers: { Authorization: basic(caller.username, caller.password) },
    });
    expectDocumented('GET', '/auth', answer, 200);
    idToken = answer.body.Result.IdToken;
    refreshToken = answer.body.Result.RefreshToken;
  });

  it('401 MissingCredentials with WWW-Authenticate, 400 InvalidAuthorizationHeader, 401 NotAuthorized', async () => {
    const missing = await callApi('GET', '/auth');
    expectDocumented('GET', '/auth', missing, 401);
    expect(missing.headers.get('www-authenticate')).toMatch(/^Basic /);
    expectDocumented(
      'GET',
      '/auth',
      await callApi('GET', '/auth', { headers: { Authorization: 'Bearer nothing' } }),
      400,
    );
    const wrong = await callApi('GET', '/auth', {
      headers: { Authorization: basic(caller.username, 'Not-the-passw0rd!') },
    });
    expectDocumented('GET', '/auth', wrong, 401);
    expect(wrong.body.Error?.Code).toBe('NotAuthorized');
  });

  it('403 PasswordResetRequired', async () => {
    const { UserPoolId } = readEndpoints();
    const username = uniqueName('fresh');
    const temporary = recordSecret('password', 'Temp-Passw0rd-Docs!');
    const tenantClaim = [{ Name: 'custom:tenant', Value: tenant }];
    await cognito().send(
      new AdminCreateUserCommand({
        UserPoolId,
        Username: username,
        TemporaryPassword: temporary,
        MessageAction: 'SUPPRESS',
        UserAttributes: tenantClaim,
      }),
    );
    await cognito().send(new AdminAddUserToGroupCommand({ UserPoolId, Username: username, GroupName: 'api-callers' }));
    expectDocumented(
      'GET',
      '/auth',
      await callApi('GET', '/auth', { headers: { Authorization: basic(username, temporary) } }),
      403,
    );
  });
});

describe('POST /auth/refresh', () => {
  it('200, 400, 401 and 413', async () => {
    const refresh = (body: unknown) => callApi('POST', '/auth/refresh', { body });
    expectDocumented('POST', '/auth/refresh', await refresh({ RefreshToken: refreshToken }), 200);
    expectDocumented('POST', '/auth/refresh', await refresh({ RefreshToken: '' }), 400);
    expectDocumented('POST', '/auth/refresh', await refresh({ RefreshToken: 'not-a-refresh-token' }), 401);
    expectDocumented('POST', '/auth/refresh', await refresh(`{"RefreshToken":"${'x'.repeat(9000)}"}`), 413);
  });
});

describe('POST /pop and GET /pops/{PopId}', () => {
  const pop = (body: unknown, headers: Record<string, string> = {}, token = idToken) =>
    callApi('POST', '/pop', { token, body, headers });

  it('202 pushed as a Pop message, then 200 for its status', async () => {
    const accepted = await pop({
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'DOC-1',
      ScriptData: { 'Contact Name': 'Ada', Amount: 3, Vip: true },
    });
    expectDocumented('POST', '/pop', accepted, 202);
    expectMessage(
      'Pop',
      await instance.connection.waitForMessage((m) => m.Type === 'Pop' && m.PopId === accepted.body.Result.PopId),
    );
    const status = await callApi('GET', `/pops/${encodeURIComponent(accepted.body.Result.PopId)}`, { token: idToken });
    expectDocumented('GET', '/pops/{PopId}', status, 200);
  });

  it('400, 401, 403, 404, 409, 413 and 422', async () => {
    expectDocumented('POST', '/pop', await pop({ Username: 'agent1', Campaign: '' }), 400);
    expectDocumented(
      'POST',
      '/pop',
      await callApi('POST', '/pop', { body: { Username: 'agent1', Campaign: 'Sales' } }),
      401,
    );
    expectDocumented('POST', '/pop', await pop({ Username: 'agent1', Campaign: 'Sales' }, {}, instance.idToken), 403);
    expectDocumented('POST', '/pop', await pop({ Username: 'nobody', Campaign: 'Sales' }), 404);
    expect((await pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'DOC-2' })).status).toBe(202);
    expectDocumented('POST', '/pop', await pop({ Username: 'agent2', Campaign: 'Sales', Reference: 'DOC-2' }), 409);
    expectDocumented(
      'POST',
      '/pop',
      await pop({
        Username: 'agent1',
        Campaign: 'Sales',
        ScriptData: { Big: 'x'.repeat(16_000), Bigger: 'y'.repeat(16_000) },
      }),
      413,
    );
    const key = { 'Idempotency-Key': uniqueName('docs-key') };
    expect((await pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'DOC-3' }, key)).status).toBe(202);
    expectDocumented(
      'POST',
      '/pop',
      await pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'DOC-4' }, key),
      422,
    );
  });

  it('a replay under the same Idempotency-Key is documented and marked Idempotent-Replayed', async () => {
    const key = { 'Idempotency-Key': uniqueName('docs-replay') };
    const body = { Username: 'agent1', Campaign: 'Sales', Reference: 'DOC-5' };
    expect((await pop(body, key)).status).toBe(202);
    const replay = await pop(body, key);
    expectDocumented('POST', '/pop', replay, 202);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
  });

  it('GET /pops/{PopId}: 401, 403 and 404', async () => {
    expectDocumented('GET', '/pops/{PopId}', await callApi('GET', '/pops/whatever'), 401);
    expectDocumented('GET', '/pops/{PopId}', await callApi('GET', '/pops/whatever', { token: instance.idToken }), 403);
    expectDocumented('GET', '/pops/{PopId}', await callApi('GET', '/pops/no-such-pop', { token: idToken }), 404);
  });
});

describe('DELETE /pops/{PopId} (recall)', () => {
  const recall = (popId: string, token = idToken) => callApi('DELETE', `/pops/${encodeURIComponent(popId)}`, { token });
  const popFor = async (Reference: string) =>
    (await callApi('POST', '/pop', { token: idToken, body: { Username: 'agent1', Campaign: 'Sales', Reference } })).body
      .Result.PopId as string;

  it('200 Recalled, and the instance gets a Recall message', async () => {
    const popId = await popFor('DOC-R1');
    expectDocumented('DELETE', '/pops/{PopId}', await recall(popId), 200);
    expectMessage('Recall', await instance.connection.waitForMessage((m) => m.Type === 'Recall' && m.PopId === popId));
  });

  it('401, 403, 404 and 409 AlreadyOpened', async () => {
    expectDocumented('DELETE', '/pops/{PopId}', await callApi('DELETE', '/pops/whatever'), 401);
    expectDocumented('DELETE', '/pops/{PopId}', await recall('whatever', instance.idToken), 403);
    expectDocumented('DELETE', '/pops/{PopId}', await recall('no-such-pop'), 404);
    const popId = await popFor('DOC-R2');
    instance.connection.send({ Action: 'Ack', PopId: popId, Status: 'Opened' });
    await eventuallyOpened(popId);
    const refused = await recall(popId);
    expectDocumented('DELETE', '/pops/{PopId}', refused, 409);
    expect(refused.body.Error?.Code).toBe('AlreadyOpened');
  });

  async function eventuallyOpened(popId: string): Promise<void> {
    for (let i = 0; i < 100; i++) {
      const status = await callApi('GET', `/pops/${encodeURIComponent(popId)}`, { token: idToken });
      if (status.body.Result?.Status === 'Opened') return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`pop ${popId} never became Opened`);
  }
});

describe("API Gateway's own answers outside the operations", () => {
  it.each([
    ['GET', '/no-such-path'],
    ['DELETE', '/pop'],
  ])('%s %s: 404 NotFound in the failure envelope', async (method, where) => {
    const answer = await callApi(method, where, { token: idToken });
    expect(answer.status).toBe(404);
    const validate = validatorFor('openapi.json#/components/schemas/FailureEnvelope');
    expect({ valid: validate(answer.body), errors: validate.errors ?? null }).toMatchObject({ valid: true });
    expect(answer.body.Error?.Code).toBe('NotFound');
  });
});

describe('WebSocket messages', () => {
  it('Error for a message that is not JSON, an unknown Action, a bad message and an Ack of an unknown pop', async () => {
    const { connection } = instance;
    const errors = () => connection.messages.filter((m: any) => m?.Type === 'Error').length;
    const cases = [
      'not json',
      { Action: 'Dance' },
      { Action: 'Login' },
      { Action: 'Ack', PopId: 'no-such-pop', Status: 'Delivered' },
    ];
    for (const message of cases) {
      const before = errors();
      connection.send(message);
      await connection.waitForMessage(() => errors() > before);
      expectMessage('Error', connection.messages.filter((m: any) => m?.Type === 'Error')[before]);
    }
    const codes = connection.messages.filter((m: any) => m?.Type === 'Error').map((m: any) => m.Code);
    expect(codes).toEqual(['InvalidMessage', 'UnknownAction', 'InvalidMessage', 'PopNotFound']);
  });
});

afterAll(() => {
  // Each operation's success and its refusals that a caller can provoke were answered for real above.
  expect([...answered].sort()).toEqual(
    expect.arrayContaining([
      'authToken 200',
      'authToken 400',
      'authToken 401',
      'authToken 403',
      'authRefresh 200',
      'authRefresh 413',
      'pop 202',
      'pop 409',
      'pop 413',
      'pop 422',
      'popStatus 200',
      'popStatus 404',
      'popRecall 200',
      'popRecall 404',
      'popRecall 409',
    ]),
  );
});
