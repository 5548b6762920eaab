/**
 * Pop delivery end to end on the local stack: presence, routing, 410 clean-up, record claims, idempotency,
 * status feedback through Acks, tenant isolation of status and Acks, validation, WebSocket message errors.
 */
import {
  callApi,
  connectInstance,
  createUser,
  dropConnection,
  getToken,
  pop,
  readEndpoints,
  uniqueTenant,
  type InstanceConnection,
} from './support';

const opened: InstanceConnection[] = [];
afterAll(async () => {
  await Promise.all(opened.map((c) => c.close()));
});

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Messages on one connection are handled in order: a Pong proves everything sent before it was processed. */
async function settled(connection: InstanceConnection): Promise<void> {
  const before = connection.messages.filter((m: any) => m?.Type === 'Pong').length;
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage(() => connection.messages.filter((m: any) => m?.Type === 'Pong').length > before);
}

async function instance(tenant: string, agents: string[], name = 'desk'): Promise<InstanceConnection> {
  const user = await createUser(tenant, 'instance');
  const { IdToken } = await getToken(user.username, user.password);
  const connection = await connectInstance(IdToken, { instance: name });
  opened.push(connection);
  connection.send({ Action: 'Desktop', Agents: agents });
  await settled(connection);
  return connection;
}

async function callerToken(tenant: string): Promise<string> {
  const user = await createUser(tenant, 'api');
  return (await getToken(user.username, user.password)).IdToken;
}

const popsOn = (connection: InstanceConnection) => connection.messages.filter((m: any) => m?.Type === 'Pop') as any[];

describe('presence and routing', () => {
  it('pushes to every instance of the tenant that holds the agent, and to no other', async () => {
    const tenant = uniqueTenant();
    const one = await instance(tenant, ['agent1', 'agent2'], 'one');
    const two = await instance(tenant, ['agent1'], 'two');
    const other = await instance(uniqueTenant(), ['agent1', 'agent2'], 'other');
    const token = await callerToken(tenant);

    const first = await pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: 'A' });
    const second = await pop(token, { Username: 'agent2', Campaign: 'Sales', Reference: 'B' });
    expect([first.status, second.status]).toEqual([202, 202]);
    await one.waitForMessage((m) => m.PopId === second.body.Result.PopId);
    await two.waitForMessage((m) => m.PopId === first.body.Result.PopId);
    await one.waitForMessage((m) => m.PopId === first.body.Result.PopId);
    await pause(100);
    expect(
      popsOn(one)
        .map((m) => m.Username)
        .sort(),
    ).toEqual(['agent1', 'agent2']);
    expect(popsOn(two).map((m) => m.Username)).toEqual(['agent1']);
    expect(popsOn(other)).toEqual([]);
  });

  it('follows Login, Logout, a new Desktop list and a disconnect', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, []);
    const token = await callerToken(tenant);
    const popAgent = () => pop(token, { Username: 'agent7', Campaign: 'Sales' });

    expect((await popAgent()).status).toBe(404);
    desk.send({ Action: 'Login', Username: 'agent7' });
    await settled(desk);
    expect((await popAgent()).status).toBe(202);
    desk.send({ Action: 'Logout', Username: 'agent7' });
    await settled(desk);
    expect((await popAgent()).status).toBe(404);
    desk.send({ Action: 'Desktop', Agents: ['agent7'] });
    await settled(desk);
    expect((await popAgent()).status).toBe(202);
    await desk.close();
    await pause(200); // $disconnect runs after the close
    expect((await popAgent()).body.Error?.Code).toBe('AgentNotOnDesktop');
  });

  it('removes a connection lost without a close frame on the next pop, delivering through the other instance', async () => {
    const tenant = uniqueTenant();
    const lost = await instance(tenant, ['agent1', 'agent9'], 'lost');
    const alive = await instance(tenant, ['agent1'], 'alive');
    const token = await callerToken(tenant);
    expect(await dropConnection(lost.connectionId)).toBe(true);
    await lost.closed;

    const answer = await pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: 'R' });
    expect(answer.status).toBe(202);
    await alive.waitForMessage((m) => m.PopId === answer.body.Result.PopId);
    // Everything the lost connection held went with it: agent9 was only there.
    expect((await pop(token, { Username: 'agent9', Campaign: 'Sales' })).body.Error?.Code).toBe('AgentNotOnDesktop');
  });

  it('answers 404 AgentNotOnDesktop when the only connection holding the agent is gone', async () => {
    const tenant = uniqueTenant();
    const lost = await instance(tenant, ['agent1']);
    const token = await callerToken(tenant);
    await dropConnection(lost.connectionId);
    await lost.closed;
    const answer = await pop(token, { Username: 'agent1', Campaign: 'Sales' });
    expect([answer.status, answer.body.Error?.Code]).toEqual([404, 'AgentNotOnDesktop']);
  });
});

describe('record claims and retries', () => {
  it('of 50 simultaneous pops of one record for 50 agents, exactly one is accepted', async () => {
    const tenant = uniqueTenant();
    const agents = Array.from({ length: 50 }, (_, i) => `agent${i}`);
    const desk = await instance(tenant, agents);
    const token = await callerToken(tenant);
    const answers = await Promise.all(
      agents.map((agent) => pop(token, { Username: agent, Campaign: 'Sales', Reference: 'HOT-1' })),
    );
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 202)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(49);
    expect(answers.find((a) => a.status === 409)!.body.Error?.Code).toBe('RecordOpenElsewhere');
    await pause(200);
    expect(popsOn(desk)).toHaveLength(1);
  });

  it('answers a retry of the same agent and record with the same PopId and pushes it once', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1']);
    const token = await callerToken(tenant);
    const body = { Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' };
    const first = await pop(token, body);
    const retry = await pop(token, body);
    expect([first.status, retry.status]).toEqual([202, 202]);
    expect(retry.body.Result.PopId).toBe(first.body.Result.PopId);
    await pause(200);
    expect(popsOn(desk)).toHaveLength(1);
  });

  it('replays the first answer for a repeated Idempotency-Key and pushes nothing twice', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1']);
    const token = await callerToken(tenant);
    const body = { Username: 'agent1', Campaign: 'Sales' }; // no Reference: no claim, only the key protects it
    const headers = { 'Idempotency-Key': `crm-${tenant}` };
    const first = await pop(token, body, headers);
    const repeat = await pop(token, body, headers);
    expect(first.status).toBe(202);
    expect(repeat.status).toBe(202);
    expect(repeat.body).toEqual(first.body);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    const reused = await pop(token, { ...body, Campaign: 'Other' }, headers);
    expect([reused.status, reused.body.Error?.Code]).toEqual([422, 'IdempotencyKeyReused']);
    await pause(200);
    expect(popsOn(desk)).toHaveLength(1);
  });
});

describe('status feedback', () => {
  it("moves Sent -> Delivered -> Opened through the instance's Acks, visible with GET /pops/{PopId}", async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1']);
    const token = await callerToken(tenant);
    const { body } = await pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: 'R-9' });
    const popId = body.Result.PopId;
    const status = async () => (await callApi('GET', `/pops/${popId}`, { token })).body.Result;

    expect(await status()).toMatchObject({
      PopId: popId,
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-9',
      Status: 'Sent',
    });
    await desk.waitForMessage((m) => m.PopId === popId);
    desk.send({ Action: 'Ack', PopId: popId, Status: 'Delivered' });
    await settled(desk);
    expect((await status()).Status).toBe('Delivered');
    desk.send({ Action: 'Ack', PopId: popId, Status: 'Opened' });
    await settled(desk);
    const final = await status();
    expect(final).toMatchObject({ Status: 'Opened', CreatedAt: expect.any(String), UpdatedAt: expect.any(String) });
    expect(Date.parse(final.UpdatedAt)).toBeGreaterThanOrEqual(Date.parse(final.CreatedAt));
  });

  it('records Failed with the Reason the instance gives and frees the record for another agent', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1', 'agent2']);
    const token = await callerToken(tenant);
    const { body } = await pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: 'R-5' });
    desk.send({ Action: 'Ack', PopId: body.Result.PopId, Status: 'Failed', Reason: 'NoLicence' });
    await settled(desk);
    expect((await callApi('GET', `/pops/${body.Result.PopId}`, { token })).body.Result).toMatchObject({
      Status: 'Failed',
      Reason: 'NoLicence',
    });
    expect((await pop(token, { Username: 'agent2', Campaign: 'Sales', Reference: 'R-5' })).status).toBe(202);
  });

  it('shows a pop to its own tenant only and refuses Acks from another tenant or another connection', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1']);
    const bystander = await instance(tenant, ['agent2'], 'bystander');
    const intruder = await instance(uniqueTenant(), ['agent1'], 'intruder');
    const token = await callerToken(tenant);
    const { body } = await pop(token, { Username: 'agent1', Campaign: 'Sales', Reference: 'R-7' });
    const popId = body.Result.PopId;

    const foreign = await callApi('GET', `/pops/${popId}`, { token: await callerToken(uniqueTenant()) });
    expect([foreign.status, foreign.body.Error?.Code]).toEqual([404, 'PopNotFound']);
    const unknown = await callApi('GET', '/pops/does-not-exist', { token });
    expect([unknown.status, unknown.body.Error?.Code]).toEqual([404, 'PopNotFound']);

    for (const stranger of [intruder, bystander]) {
      stranger.send({ Action: 'Ack', PopId: popId, Status: 'Opened' });
      const error = await stranger.waitForMessage<any>((m) => m.Type === 'Error');
      expect(error.Code).toBe('PopNotFound');
    }
    expect((await callApi('GET', `/pops/${popId}`, { token })).body.Result.Status).toBe('Sent');
    await desk.waitForMessage((m) => m.PopId === popId);
  });
});

describe('validation', () => {
  let token: string;
  beforeAll(async () => {
    token = await callerToken(uniqueTenant());
  });

  it.each([
    ['a missing Username', { Campaign: 'Sales' }, 'Username: is required'],
    ['an empty Campaign', { Username: 'a', Campaign: '' }, 'Campaign: must not be empty'],
    [
      'ScriptData that is not an object',
      { Username: 'a', Campaign: 'b', ScriptData: 'x' },
      'ScriptData: must be an object',
    ],
    [
      'a ScriptData value that is an object',
      { Username: 'a', Campaign: 'b', ScriptData: { k: { x: 1 } } },
      'ScriptData.k: must be a string, number or boolean',
    ],
    [
      'a ScriptData value that is an array',
      { Username: 'a', Campaign: 'b', ScriptData: { k: [] } },
      'ScriptData.k: must be a string, number or boolean',
    ],
    ['an unknown top-level field', { Username: 'a', Campaign: 'b', Priority: 1 }, 'Priority: is not a known field'],
    ['a body that is not JSON', '{"Username":', 'The body: is not valid JSON'],
  ])('refuses %s with 400 InvalidRequest naming it', async (_, body, detail) => {
    const answer = await pop(token, body);
    expect([answer.status, answer.body.Error?.Code]).toEqual([400, 'InvalidRequest']);
    expect(answer.body.Error?.Details).toContain(detail);
  });

  it('refuses a body over the size limit with 413 PayloadTooLarge', async () => {
    const answer = await pop(token, { Username: 'a', Campaign: 'b', ScriptData: { big: 'x'.repeat(40_000) } });
    expect([answer.status, answer.body.Error?.Code]).toEqual([413, 'PayloadTooLarge']);
  });
});

describe('WebSocket messages', () => {
  it('answers Ping with Pong, and bad or unknown messages with an Error, keeping the connection open', async () => {
    const desk = await instance(uniqueTenant(), []);
    const cases: [unknown, string][] = [
      ['not json', 'InvalidMessage'],
      [{ Action: 'Dance' }, 'UnknownAction'],
      [{ NoAction: true }, 'UnknownAction'],
      [{ Action: 'Desktop', Agents: 'agent1' }, 'InvalidMessage'],
      [{ Action: 'Login' }, 'InvalidMessage'],
      [{ Action: 'Ack', PopId: 'x', Status: 'Teleported' }, 'InvalidMessage'],
      [{ Action: 'Ack', PopId: 'x', Status: 'Failed' }, 'InvalidMessage'],
    ];
    for (const [message, code] of cases) {
      const errorsBefore = desk.messages.filter((m: any) => m?.Type === 'Error').length;
      desk.send(message);
      await desk.waitForMessage(() => desk.messages.filter((m: any) => m?.Type === 'Error').length > errorsBefore);
      const error = desk.messages.filter((m: any) => m?.Type === 'Error')[errorsBefore] as any;
      expect({ message, code: error.Code }).toEqual({ message, code });
      expect(error.Message).toEqual(expect.any(String));
    }
    await settled(desk); // still open and answering
  });
});

describe('a body that is not UTF-8', () => {
  it('is refused 400 as the handler would in AWS (binary media types */*), never rewritten to U+FFFD', async () => {
    const tenant = uniqueTenant();
    const desk = await instance(tenant, ['agent1']);
    const token = await callerToken(tenant);
    const send = (reference: Buffer) =>
      fetch(`${readEndpoints().RestApiUrl}/pop`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: Buffer.concat([
          Buffer.from('{"Username":"agent1","Campaign":"Sales","Reference":"'),
          reference,
          Buffer.from('"}'),
        ]),
      });
    for (const bytes of [[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80]]) {
      const answer = await send(Buffer.from(bytes));
      const body = JSON.parse(await answer.text());
      expect([answer.status, body.Error?.Code, body.Error?.Details]).toEqual([
        400,
        'InvalidRequest',
        ['The body: is not valid UTF-8'],
      ]);
    }
    // Valid UTF-8 still passes through untouched.
    const ok = await send(Buffer.from('Zoë-漢'));
    expect(ok.status).toBe(202);
    await desk.waitForMessage((m) => m.Reference === 'Zoë-漢');
    expect(popsOn(desk)).toHaveLength(1);
  });
});
