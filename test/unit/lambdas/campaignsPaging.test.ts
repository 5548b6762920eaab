/**
 * GET /campaigns answers a page at a time (issue 25, item 5: 25,000 campaigns answered 7.6 MB, over Lambda's 6 MB
 * response limit). Every campaign is listed once over the pages, each page holds whole campaigns, a bad cursor is a
 * 400 in the envelope, and a cursor handed to one tenant reads nothing of another's. Handlers against dynalite.
 */
import { MAX_CAMPAIGNS_PAGE } from '../../../contract/limits';
import { TENANT_CLAIM } from '../../../lambdas/shared/identity';
import { lambdaContext, restEvent, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { catalogueCampaign, sendOnConnection, type RestHandler } from '../support/tenantSetup';

jest.setTimeout(120_000);

let env: FuzzEnvironment;

const campaigns = (prefix: string, count: number) =>
  Array.from({ length: count }, (_, i) => catalogueCampaign(`${prefix}${String(i).padStart(4, '0')}`));

async function publishAll(tenant: string, connectionId: string, list: unknown[]) {
  const instance = { tenant, connectionId, instance: connectionId };
  await sendOnConnection(env, instance, '$connect');
  const message = { Action: 'Catalogue', Sequence: 1, Part: 1, Parts: 1, Campaigns: list };
  const answer = await sendOnConnection(env, instance, 'Catalogue', message);
  expect(answer).not.toMatch(/"Type":"Error"/);
}

interface Page {
  Success: boolean;
  Result?: { Campaigns: { Name: string; Instances: unknown[] }[]; Next?: string };
  Error?: { Code: string; Details?: string[] };
}

async function getPage(tenant: string, query: Record<string, string> = {}): Promise<{ status: number; body: Page }> {
  const event = restEvent({
    method: 'GET',
    resource: '/campaigns',
    claims: { 'cognito:username': 'u', [TENANT_CLAIM]: tenant, 'cognito:groups': 'api-callers' },
  });
  const answer = await env.handler<RestHandler>('campaigns')(
    { ...event, queryStringParameters: query },
    lambdaContext(),
  );
  return { status: answer.statusCode, body: JSON.parse(answer.body) as Page };
}

beforeAll(async () => {
  env = await startFuzzEnvironment();
  // Tenant A: two instances publishing the same 150 campaigns (two entries each); tenant B: its own 20.
  await publishAll('tenant-a', 'a-one', campaigns('A', 150));
  await publishAll('tenant-a', 'a-two', campaigns('A', 150));
  await publishAll('tenant-b', 'b-one', campaigns('B', 20));
});
afterAll(async () => env?.stop());

test('every campaign once over the pages, whole campaigns per page, no Next on the last', async () => {
  const names: string[] = [];
  let next: string | undefined;
  let pages = 0;
  do {
    const { status, body } = await getPage('tenant-a', { limit: '40', ...(next === undefined ? {} : { next }) });
    expect(status).toBe(200);
    expect(body.Result!.Campaigns.length).toBeLessThanOrEqual(40);
    for (const campaign of body.Result!.Campaigns) expect(campaign.Instances).toHaveLength(2);
    names.push(...body.Result!.Campaigns.map((c) => c.Name));
    next = body.Result!.Next;
    pages += 1;
  } while (next !== undefined);
  expect(pages).toBe(4);
  expect(names).toEqual(campaigns('A', 150).map((c) => c.Name));

  const first = await getPage('tenant-a');
  expect(first.body.Result!.Campaigns).toHaveLength(MAX_CAMPAIGNS_PAGE);
  expect(first.body.Result!.Next).toBeDefined();
});

test("a cursor is bound to its tenant: another tenant's cursor is a 400, never a read of its campaigns", async () => {
  const { body } = await getPage('tenant-b', { limit: '5' });
  const cursorOfB = body.Result!.Next!;
  expect(cursorOfB).toBeDefined();
  const misused = await getPage('tenant-a', { next: cursorOfB });
  expect(misused.status).toBe(400);
  expect(misused.body.Error?.Code).toBe('InvalidRequest');
  expect(misused.body.Error?.Details).toEqual(['next: must be the Next of an earlier answer to you']);
  // And B's own pages never show A's campaigns.
  const rest = await getPage('tenant-b', { next: cursorOfB });
  expect(rest.body.Result!.Campaigns.map((c) => c.Name)).toEqual(
    campaigns('B', 20)
      .map((c) => c.Name)
      .slice(5),
  );
});

test.each([
  [{ next: 'not a cursor!' }, 'next'],
  [{ next: Buffer.from('{"t":1}').toString('base64url') }, 'next'],
  [{ next: 'eyJ' }, 'next'],
  [{ limit: '0' }, 'limit'],
  [{ limit: String(MAX_CAMPAIGNS_PAGE + 1) }, 'limit'],
  [{ limit: '1e2' }, 'limit'],
])('bad paging %j is a 400 in the envelope naming %s', async (query, name) => {
  const { status, body } = await getPage('tenant-a', query);
  expect(status).toBe(400);
  expect(body.Success).toBe(false);
  expect(body.Error?.Code).toBe('InvalidRequest');
  expect(body.Error?.Details?.[0]).toMatch(new RegExp(`^${name}:`));
});
