/**
 * One rule for a blank Reference (issue 25, item 6): a Reference that is empty once trimmed is no Reference, for the
 * checks (as the Desktop, instance/desktop.ts, which creates a CSAUTO record), the record claim, the deduplication of
 * retries and the pushed message alike. Handlers in process against dynalite (test/unit/fuzz/harness.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext, restEvent, seedPresence, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';

jest.setTimeout(60_000);

type Rest = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let env: FuzzEnvironment;
let pop: Rest;
const TENANT = 'blank-reference';
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

beforeAll(async () => {
  env = await startFuzzEnvironment();
  pop = env.handler<Rest>('pop');
  await seedPresence(env.table, TENANT, 'agent1', 'blank-conn-1');
  await seedPresence(env.table, TENANT, 'agent2', 'blank-conn-2');
});
afterAll(async () => env?.stop());

const popFor = async (Username: string, Reference: string) => {
  const body = JSON.stringify({ Username, Campaign: 'Sales', Reference });
  const result = await pop(restEvent({ method: 'POST', resource: '/pop', body, claims }), lambdaContext());
  return { status: result.statusCode, body: JSON.parse(result.body) as { Result?: { PopId?: string } } };
};

describe('a blank Reference', () => {
  it.each([' ', '   '])('%j claims no record: two agents both get their pop, each a new one', async (blank) => {
    const first = await popFor('agent1', blank);
    const second = await popFor('agent2', blank);
    const again = await popFor('agent1', blank);
    expect([first.status, second.status, again.status]).toEqual([202, 202, 202]);
    const ids = [first, second, again].map((answer) => answer.body.Result?.PopId);
    expect(new Set(ids).size).toBe(3);
  });

  it('is pushed as no Reference, so the Desktop creates a record as the checks assumed', async () => {
    const before = env.pushed.length;
    await popFor('agent1', '  ');
    const message = JSON.parse(env.pushed[before]!) as Record<string, unknown>;
    expect(message).not.toHaveProperty('Reference');
  });
});
