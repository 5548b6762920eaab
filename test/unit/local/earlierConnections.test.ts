/**
 * A local stack started over an earlier run's data removes that run's connections before it serves anything
 * (local/earlierConnections.ts; issue 25, item 4): POST /pop/validate and GET /campaigns/{Name} no longer count an
 * instance whose WebSocket died with the earlier gateway, and agree with what POST /pop would answer.
 * Handlers in process against dynalite (test/unit/fuzz/harness.ts).
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { forgetEarlierConnections } from '../../../local/earlierConnections';
import { lambdaContext, restEvent, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { catalogueCampaign, connectInstance, type RestHandler } from '../support/tenantSetup';

jest.setTimeout(60_000);

let env: FuzzEnvironment;
const TENANT = 'earlier-run';
const CONNECTION = { tenant: TENANT, connectionId: 'earlier-conn' };
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

async function rest(name: 'popValidate' | 'campaign', event: APIGatewayProxyEvent) {
  const result = await env.handler<RestHandler>(name)(event, lambdaContext());
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, any> };
}

test("the earlier run's connection is gone for the dry run and the catalogue, as for a pop", async () => {
  await connectInstance(env, CONNECTION, { agents: ['agent1'], campaigns: [catalogueCampaign('Sales')] });
  const validate = () =>
    rest(
      'popValidate',
      restEvent({
        method: 'POST',
        resource: '/pop/validate',
        body: JSON.stringify({ Username: 'agent1', Campaign: 'Sales' }),
        claims,
      }),
    );
  const catalogue = () =>
    rest(
      'campaign',
      restEvent({ method: 'GET', resource: '/campaigns/{Name}', pathParameters: { Name: 'Sales' }, claims }),
    );
  expect((await validate()).status).toBe(200);
  expect((await catalogue()).body.Result.Instances[0].Agents).toBe(1);

  // The stack stops (no $disconnect) and starts again over the same data.
  expect(await forgetEarlierConnections(env.table.raw, env.table.tableName)).toBe(1);

  expect(await validate()).toMatchObject({ status: 404, body: { Error: { Code: 'AgentNotOnDesktop' } } });
  expect((await catalogue()).status).toBe(404);
});
