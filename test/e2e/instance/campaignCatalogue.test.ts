/**
 * The campaign catalogue end to end: reference instances publish their campaign catalogues and licence states, and the API refuses
 * at once what cannot succeed (nothing pushed), pushes only to the instances that can open a pop, answers the dry run
 * (POST /pop/validate) with the same refusal, and lists the tenant's campaigns (GET /campaigns). An older instance
 * (publishCatalogue: false) gets today's behaviour: its Desktop decides and acks Failed.
 */
import {
  eventually,
  restCall,
  sharedStack,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  type PopBody,
  type TestInstance,
} from '../support/instanceHarness';

const stack = () => sharedStack();
jest.setTimeout(20_000);
afterEach(stopTestInstances);

const SALES = {
  name: 'Sales',
  type: 'external',
  active: true,
  allowRecordCreation: false,
  workflow: 'Sales Call',
  externalLinks: {
    'Contact Name': { field: 'ContactName', type: 'string', required: true },
    Amount: { field: 'Amount', type: 'number' },
  },
} as const;
const SURVEY = {
  name: 'Survey',
  type: 'internal',
  active: true,
  allowRecordCreation: true,
  workflow: 'Survey Call',
} as const;

const validate = async (tenant: TestTenant, body: PopBody) =>
  restCall(stack(), 'POST', '/pop/validate', { token: await tenant.token(), body });
const campaigns = async (tenant: TestTenant) => restCall(stack(), 'GET', '/campaigns', { token: await tenant.token() });

/** Pops the instance's Desktop received, by campaign. */
const received = (desk: TestInstance) =>
  desk.logger.entries.filter((e) => e.message.startsWith('pop ')).map((e) => e.fields.campaign);

/** Waits until the tenant's published catalogue shows `count` instances publishing `name`. */
async function published(tenant: TestTenant, name: string, count: number): Promise<any> {
  return eventually(`${name} published by ${count} instances`, async () => {
    const answer = await campaigns(tenant);
    const campaign = answer.body.Result?.Campaigns.find((c: { Name: string }) => c.Name === name);
    return campaign?.Instances.length === count && campaign.Agents > 0 ? campaign : undefined;
  });
}

describe('campaign catalogue: know before you pop', () => {
  test('two instances with different catalogues hold one agent: each pop goes only where it can open; refusals at once', async () => {
    const tenant = await TestTenant.create(stack());
    const sales = await startTestInstance(stack(), await tenant.newInstanceUser(), {
      agents: ['agent1'],
      campaigns: [SALES],
      publishCatalogue: true,
    });
    const survey = await startTestInstance(stack(), await tenant.newInstanceUser(), {
      agents: ['agent1'],
      campaigns: [SURVEY],
      publishCatalogue: true,
    });
    const listed = await published(tenant, 'Sales', 1);
    await published(tenant, 'Survey', 1);
    expect(listed).toMatchObject({
      Name: 'Sales',
      Agents: 1,
      Instances: [{ Instance: sales.instance.config.instanceName, Active: true, Type: 'external' }],
    });
    expect(listed.Instances[0].ScriptDataSchema).toMatchObject({
      required: ['Contact Name'],
      properties: { Amount: { type: 'number' } },
    });
    const one = await restCall(stack(), 'GET', '/campaigns/Survey', { token: await tenant.token() });
    expect(one.body.Result).toMatchObject({
      Name: 'Survey',
      Instances: [{ Type: 'internal', ScriptDataSchema: { maxProperties: 0 } }],
    });

    const ok = {
      Username: 'agent1',
      Campaign: 'Sales',
      Reference: 'R-1',
      ScriptData: { 'Contact Name': 'Ada', Amount: 3 },
    };
    expect((await validate(tenant, ok)).body.Result).toEqual({
      Valid: true,
      Checks: expect.arrayContaining(['ScriptData']),
      Instances: 1,
      UncheckedInstances: 0,
    });
    expect(await tenant.popAndSettle(ok)).toMatchObject({ Status: 'Opened' });
    expect(received(sales)).toEqual(['Sales']);
    expect(received(survey)).toEqual([]);

    const refusals: [PopBody, number, string][] = [
      [{ Username: 'agent1', Campaign: 'Nope', Reference: 'R-2' }, 404, 'CampaignNotFound'],
      [
        { Username: 'agent1', Campaign: 'Sales', Reference: 'R-2', ScriptData: { Amount: 'x' } },
        422,
        'ScriptDataRejected',
      ],
      [{ Username: 'agent1', Campaign: 'Sales', ScriptData: { 'Contact Name': 'Ada' } }, 422, 'ReferenceRequired'],
      [{ Username: 'agent1', Campaign: 'Survey', Reference: 'R-3', ScriptData: { a: 1 } }, 422, 'ScriptDataRejected'],
    ];
    for (const [body, status, code] of refusals) {
      const dryRun = await validate(tenant, body);
      const answer = await tenant.pop(body);
      expect([answer.status, answer.body.Error?.Code]).toEqual([status, code]);
      expect(dryRun.body).toMatchObject({ Error: answer.body.Error });
    }
    expect(
      await tenant.pop({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-2', ScriptData: { Amount: 'x' } }),
    ).toMatchObject({
      body: { Error: { Details: ['ScriptData.Amount: must be a number', 'ScriptData.Contact Name: is required'] } },
    });
    expect(received(sales)).toEqual(['Sales']);
    expect(received(survey)).toEqual([]);
  });

  test('a catalogue change while connected applies at once; no licence is refused at once', async () => {
    const tenant = await TestTenant.create(stack());
    const desk = await startTestInstance(stack(), await tenant.newInstanceUser(), {
      agents: ['agent1', 'agent2'],
      campaigns: [SALES],
      publishCatalogue: true,
      licence: { type: 'Named', users: 1, assigned: ['agent1'] },
    });
    await published(tenant, 'Sales', 1);
    const body = { Username: 'agent1', Campaign: 'Sales', Reference: 'R-1', ScriptData: { 'Contact Name': 'Ada' } };
    await eventually(
      'agent2 known unlicensed',
      async () => (await validate(tenant, { ...body, Username: 'agent2' })).status === 403,
    );
    expect((await tenant.pop({ ...body, Username: 'agent2' })).body.Error?.Code).toBe('NoLicence');

    desk.instance.setCampaigns([{ ...SALES, active: false, externalLinks: {} }]);
    await eventually('Sales inactive', async () => (await validate(tenant, body)).status === 409);
    const answer = await tenant.pop(body);
    expect([answer.status, answer.body.Error?.Code]).toEqual([409, 'CampaignInactive']);
    expect(received(desk)).toEqual([]);
  });

  test("an older instance that publishes no catalogue gets today's behaviour: pushed, and its Desktop fails it", async () => {
    const tenant = await TestTenant.create(stack());
    const desk = await startTestInstance(stack(), await tenant.newInstanceUser(), {
      agents: ['agent1'],
      campaigns: [SALES],
      publishCatalogue: false,
    });
    const body = { Username: 'agent1', Campaign: 'Nope', Reference: 'R-1' };
    expect((await validate(tenant, body)).body.Result).toEqual({
      Valid: true,
      Checks: ['AgentOnDesktop'],
      Instances: 1,
      UncheckedInstances: 1,
    });
    expect(await tenant.popAndSettle(body)).toMatchObject({ Status: 'Failed', Reason: 'UnknownCampaign' });
    expect((await campaigns(tenant)).body.Result).toEqual({ Campaigns: [] });
    expect(received(desk)).toEqual(['Nope']);
  });
});
