/**
 * A local stack started over an earlier run's data removes that run's connections before it serves anything
 * (local/earlierConnections.ts; issue 25, item 4): POST /pop/validate and GET /campaigns/{Name} no longer count an
 * instance whose WebSocket died with the earlier gateway, and agree with what POST /pop would answer.
 * Handlers in process against dynalite (test/unit/fuzz/harness.ts).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { WebSocketEvent, WebSocketResult } from '../../../lambdas/edge/webSocket';
import { forgetEarlierConnections } from '../../../local/earlierConnections';
import { lambdaContext, restEvent, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';

jest.setTimeout(60_000);

type Rest = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type Ws = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;
let env: FuzzEnvironment;
const TENANT = 'earlier-run';
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

function wsEvent(route: string, body: unknown, eventType = 'MESSAGE'): WebSocketEvent {
  return {
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      routeKey: route,
      eventType,
      messageId: 'm',
      connectionId: 'earlier-conn',
      connectedAt: Date.now(),
      requestId: 'r',
      stage: 'v1',
      authorizer: { tenant: TENANT, username: 'inst', instance: 'desk', principalId: 'inst' },
    },
  } as unknown as WebSocketEvent;
}

beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

async function rest(name: 'popValidate' | 'campaign', event: APIGatewayProxyEvent) {
  const result = await env.handler<Rest>(name)(event, lambdaContext());
  return { status: result.statusCode, body: JSON.parse(result.body) as Record<string, any> };
}

test("the earlier run's connection is gone for the dry run and the catalogue, as for a pop", async () => {
  const ws = (name: string) => env.handler<Ws>(name as never);
  await ws('wsConnect')(wsEvent('$connect', undefined, 'CONNECT'), lambdaContext());
  await ws('wsDesktop')(wsEvent('Desktop', { Action: 'Desktop', Agents: ['agent1'] }), lambdaContext());
  const campaign = {
    Name: 'Sales',
    Active: true,
    Type: 'internal',
    AllowRecordCreation: true,
    Workflow: 'W',
    ExternalLinks: [],
  };
  await ws('wsCatalogue')(
    wsEvent('Catalogue', { Action: 'Catalogue', Sequence: 1, Part: 1, Parts: 1, Campaigns: [campaign] }),
    lambdaContext(),
  );
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
