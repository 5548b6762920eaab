/**
 * Tenant isolation as an attacker tries it, on the shared local stack. Tenant B is the victim: a pop of B's is in
 * flight to B's instance. Tenant A (an api-caller and an instance of its own) tries to read B's pop, reach B's agents
 * and instances, tamper with its token's tenant, use tokens in the wrong role, and acknowledge B's pop.
 * Each attempt is refused; afterwards B's pop status, B's presence and B's instance are exactly as before.
 */
import {
  callApi,
  connectInstance,
  createUser,
  getToken,
  handshakeStatus,
  pop,
  uniqueTenant,
  type InstanceConnection,
} from '../support';

jest.setTimeout(60_000);

const opened: InstanceConnection[] = [];
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

async function settled(connection: InstanceConnection): Promise<void> {
  const pongs = () => connection.messages.filter((m: any) => m?.Type === 'Pong').length;
  const before = pongs();
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage(() => pongs() > before);
}

async function instance(idToken: string, name: string, agents: string[]): Promise<InstanceConnection> {
  const connection = await connectInstance(idToken, { instance: name });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  await settled(connection);
  return connection;
}

/** The same JWT with `custom:tenant` rewritten in its payload and the original signature kept. */
function withTenant(jwt: string, tenant: string): string {
  const [header, payload, signature] = jwt.split('.');
  const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8'));
  claims['custom:tenant'] = tenant;
  return [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
}

const popsOn = (connection: InstanceConnection) => connection.messages.filter((m: any) => m?.Type === 'Pop');

let tenantA: string;
let tenantB: string;
let callerA: string;
let instanceTokenA: string;
let callerB: string;
let instanceB: InstanceConnection;
let instanceA: InstanceConnection;
let popOfB: string;

beforeAll(async () => {
  tenantA = uniqueTenant();
  tenantB = uniqueTenant();
  const [apiA, instA, apiB, instB] = await Promise.all([
    createUser(tenantA, 'api'),
    createUser(tenantA, 'instance'),
    createUser(tenantB, 'api'),
    createUser(tenantB, 'instance'),
  ]);
  const [tokA, tokInstA, tokB, tokInstB] = await Promise.all(
    [apiA, instA, apiB, instB].map((user) => getToken(user.username, user.password)),
  );
  callerA = tokA.IdToken;
  instanceTokenA = tokInstA.IdToken;
  callerB = tokB.IdToken;
  // B's instance holds B's agent "victim"; A's instance uses the SAME instance name and holds an agent of its own.
  instanceB = await instance(tokInstB.IdToken, 'desk-1', ['victim', 'shared-name']);
  instanceA = await instance(instanceTokenA, 'desk-1', ['own-agent', 'shared-name']);
  const accepted = await pop(callerB, { Username: 'victim', Campaign: 'Sales', Reference: 'B-REC-1' });
  expect(accepted.status).toBe(202);
  popOfB = accepted.body.Result.PopId;
  await instanceB.waitForMessage((m) => m.Type === 'Pop' && m.PopId === popOfB);
});

/** B's side is exactly as the victim left it: pop still Sent, one pop on B's instance, B's agent still poppable. */
async function expectVictimUntouched(): Promise<void> {
  const status = await callApi('GET', `/pops/${popOfB}`, { token: callerB });
  expect(status.status).toBe(200);
  expect(status.body.Result).toMatchObject({ PopId: popOfB, Status: 'Sent', Username: 'victim' });
  expect(popsOn(instanceB).map((m: any) => m.PopId)).toEqual([popOfB]);
  expect(popsOn(instanceA).map((m: any) => m.PopId)).not.toContain(popOfB);
}

describe('tenant A attacking tenant B', () => {
  it("cannot read B's pop: 404 PopNotFound, the same answer as for a PopId that never existed", async () => {
    const theirs = await callApi('GET', `/pops/${popOfB}`, { token: callerA });
    const never = await callApi('GET', '/pops/00000000-0000-4000-8000-000000000000', { token: callerA });
    expect(theirs.status).toBe(404);
    expect(theirs.body).toMatchObject({ Success: false, Result: null, Error: { Code: 'PopNotFound' } });
    expect(never.status).toBe(404);
    expect({ ...theirs.body.Error }).toEqual({ ...never.body.Error });
  });

  it("cannot pop B's agent, and a pop of an agent name both tenants use reaches only A's own instance", async () => {
    const toVictim = await pop(callerA, { Username: 'victim', Campaign: 'Sales', Reference: 'A-1' });
    expect(toVictim.status).toBe(404);
    expect(toVictim.body.Error?.Code).toBe('AgentNotOnDesktop');

    const shared = await pop(callerA, { Username: 'shared-name', Campaign: 'Sales', Reference: 'A-2' });
    expect(shared.status).toBe(202);
    await instanceA.waitForMessage((m) => m.Type === 'Pop' && m.PopId === shared.body.Result.PopId);
    await settled(instanceB);
    expect(popsOn(instanceB).map((m: any) => m.PopId)).not.toContain(shared.body.Result.PopId);
  });

  it("cannot claim B's record: the same Campaign+Reference in A is A's own record (no 409 leaks B's activity)", async () => {
    const sameRecord = await pop(callerA, { Username: 'own-agent', Campaign: 'Sales', Reference: 'B-REC-1' });
    expect(sameRecord.status).toBe(202);
  });

  it('refuses a token whose custom:tenant was rewritten (signature no longer matches) with 401, on REST and WebSocket', async () => {
    const forgedCaller = withTenant(callerA, tenantB);
    for (const answer of [
      await callApi('GET', `/pops/${popOfB}`, { token: forgedCaller }),
      await pop(forgedCaller, { Username: 'victim', Campaign: 'Sales', Reference: 'F-1' }),
    ]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toMatchObject({ Success: false, Result: null, Error: { Code: 'Unauthorized' } });
    }
    expect(await handshakeStatus(withTenant(instanceTokenA, tenantB), { instance: 'desk-1' })).toBe(401);
  });

  it('refuses an instance token on the REST API with 403 Forbidden', async () => {
    const popAnswer = await pop(instanceTokenA, { Username: 'own-agent', Campaign: 'Sales', Reference: 'I-1' });
    const statusAnswer = await callApi('GET', `/pops/${popOfB}`, { token: instanceTokenA });
    for (const answer of [popAnswer, statusAnswer]) {
      expect(answer.status).toBe(403);
      expect(answer.body).toMatchObject({ Success: false, Result: null, Error: { Code: 'Forbidden' } });
    }
  });

  it('refuses an api-caller token at the WebSocket handshake with 403', async () => {
    expect(await handshakeStatus(callerA, { instance: 'desk-1' })).toBe(403);
  });

  it("answers an Ack naming B's pop, a forged PopId, or a connection id with an Error, and changes nothing", async () => {
    const errorsBefore = instanceA.messages.filter((m: any) => m?.Type === 'Error').length;
    instanceA.send({ Action: 'Ack', PopId: popOfB, Status: 'Opened' });
    instanceA.send({ Action: 'Ack', PopId: popOfB, Status: 'Failed', Reason: 'NoLicence' });
    instanceA.send({ Action: 'Ack', PopId: 'forged-0000-pop-id', Status: 'Delivered' });
    instanceA.send({ Action: 'Ack', PopId: popOfB, Status: 'Opened', ConnectionId: instanceB.connectionId });
    instanceA.send({ Action: 'Logout', Username: 'victim', Tenant: tenantB });
    await settled(instanceA);
    const errors = instanceA.messages.filter((m: any) => m?.Type === 'Error').slice(errorsBefore) as any[];
    expect(errors.map((e) => e.Code)).toEqual([
      'PopNotFound',
      'PopNotFound',
      'PopNotFound',
      'InvalidMessage',
      'InvalidMessage',
    ]);
    await expectVictimUntouched();
  });

  it('leaves B able to work as before: its agent is still on its Desktop and its pop still moves forward', async () => {
    // A's Logout of "victim" above applied, if anything, to A's own connection: B's presence is intact.
    const again = await pop(callerB, { Username: 'victim', Campaign: 'Sales', Reference: 'B-REC-2' });
    expect(again.status).toBe(202);
    await instanceB.waitForMessage((m) => m.Type === 'Pop' && m.PopId === again.body.Result.PopId);
    instanceB.send({ Action: 'Ack', PopId: popOfB, Status: 'Delivered' });
    await settled(instanceB);
    const status = await callApi('GET', `/pops/${popOfB}`, { token: callerB });
    expect(status.body.Result.Status).toBe('Delivered');
  });
});
