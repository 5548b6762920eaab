/**
 * The whole path, end to end on the local stack with the real emulators: a vendor creates users, a caller gets a
 * token with Basic credentials, an instance connects and sends its Desktop list, the caller pops, the instance gets it.
 */
import {
  callApi,
  basic,
  connectInstance,
  createUser,
  getToken,
  pop,
  uniqueTenant,
  type InstanceConnection,
} from './support';

const opened: InstanceConnection[] = [];
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

async function instanceOf(tenant: string, agents: string[]) {
  const user = await createUser(tenant, 'instance');
  const tokens = await getToken(user.username, user.password);
  const connection = await connectInstance(tokens.IdToken, { instance: 'desk-1' });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  // The Desktop route answers nothing on success: a Ping after it proves the list was processed (messages are in order).
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage((m) => m.Type === 'Pong');
  return connection;
}

describe('walking skeleton', () => {
  it("pops exactly what the caller sent onto the agent's Desktop", async () => {
    const tenant = uniqueTenant();
    const caller = await createUser(tenant, 'api');
    const instance = await instanceOf(tenant, ['agent1']);

    const auth = await callApi('GET', '/auth', { headers: { Authorization: basic(caller.username, caller.password) } });
    expect(auth.status).toBe(200);
    expect(auth.body).toMatchObject({
      Success: true,
      Version: expect.any(String),
      Result: { Authenticated: true, User: { Username: caller.username } },
    });

    const body = {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'CUST-1001',
      ScriptData: { 'Contact Name': 'Ann Lee', var_ContactReason: 'Renewal', Amount: 12.5, Vip: true },
    };
    const accepted = await pop(auth.body.Result.IdToken, body);
    expect(accepted.status).toBe(202);
    expect(accepted.body).toMatchObject({ Success: true, Result: { PopId: expect.any(String), Status: 'Sent' } });

    const received = await instance.waitForMessage((m) => m.Type === 'Pop');
    expect(received).toEqual({ Type: 'Pop', PopId: accepted.body.Result.PopId, ...body, SentAt: expect.any(String) });
    expect(instance.messages.filter((m: any) => m.Type === 'Pop')).toHaveLength(1);
  });

  it('answers 404 AgentNotOnDesktop for an agent on no Desktop', async () => {
    const tenant = uniqueTenant();
    const caller = await createUser(tenant, 'api');
    await instanceOf(tenant, ['agent1']);
    const { IdToken } = await getToken(caller.username, caller.password);
    const answer = await pop(IdToken, { Username: 'agent2', Campaign: 'Sales', Reference: 'R' });
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ Success: false, Result: null, Error: { Code: 'AgentNotOnDesktop' } });
  });

  it("never lets a pop of tenant A reach tenant B's instance, even for an agent of the same name", async () => {
    const tenantA = uniqueTenant();
    const tenantB = uniqueTenant();
    const callerA = await createUser(tenantA, 'api');
    const instanceB = await instanceOf(tenantB, ['agent1']);
    const { IdToken } = await getToken(callerA.username, callerA.password);

    const answer = await pop(IdToken, { Username: 'agent1', Campaign: 'Sales', Reference: 'R' });
    expect(answer.status).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(instanceB.messages.filter((m: any) => m.Type === 'Pop')).toEqual([]);
  });

  it('answers a wrong password with 401 NotAuthorized in the envelope', async () => {
    const user = await createUser(uniqueTenant(), 'api');
    const answer = await callApi('GET', '/auth', {
      headers: { Authorization: basic(user.username, `${user.password}x`) },
    });
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({
      Success: false,
      Result: null,
      RequestId: expect.any(String),
      Error: { Code: 'NotAuthorized' },
    });
  });
});
