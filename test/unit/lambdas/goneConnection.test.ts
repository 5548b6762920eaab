/**
 * POST /pop/validate and GET /campaigns/{Name} count only a connection POST /pop would reach (issue 25, item 4): when
 * API Gateway's $disconnect was missed, the presence and catalogue items remain while @connections answers 410 for the
 * connection. POST /pop learns it from its push; the dry run and the catalogue ask GetConnection (pusher.ts
 * connectionProber) and apply the same rule (popPlan.ts withoutGone). The @connections stand-in answers 410 as API
 * Gateway does for a connection that is gone (no emulator of ours can lose a $disconnect on purpose).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnectionsClient } from '../../../lambdas/clients/connectionsClient';
import { makePopValidateHandler, popValidateDependencies } from '../../../lambdas/pops/validateHandler';
import { campaignsDependencies, makeCampaignHandler } from '../../../lambdas/catalogue/campaignsHandler';
import { makePopHandler, popDependencies } from '../../../lambdas/pops/popHandler';
import { noMetrics } from '../../../lambdas/shared/metrics';
import { lambdaContext, restEvent, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { catalogueCampaign, connectInstance, type RestHandler } from '../support/tenantSetup';

jest.setTimeout(120_000);

const TENANT = 'gone-tenant';
const CONNECTION = { tenant: TENANT, connectionId: 'gone-conn' };
const claims = { 'cognito:username': 'u', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };
let env: FuzzEnvironment;
let gone: Server;
let goneEndpoint: string;

const popBody = (extra: object = {}) => JSON.stringify({ Username: 'agent1', Campaign: 'Sales', ...extra });

beforeAll(async () => {
  env = await startFuzzEnvironment();
  // API Gateway's @connections for a connection that is gone: 410 GoneException, for GET and POST alike.
  gone = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      res
        .writeHead(410, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'GoneException' })
        .end('{"message":"Gone"}'),
    );
  });
  await new Promise<void>((resolve) => gone.listen(0, '127.0.0.1', resolve));
  goneEndpoint = `http://127.0.0.1:${(gone.address() as AddressInfo).port}/v1`;
  await connectInstance(env, CONNECTION, { agents: ['agent1'], campaigns: [catalogueCampaign('Sales')] });
});
afterAll(async () => {
  gone?.close();
  await env?.stop();
});

function clientsWithConnections(endpoint: string) {
  const management = createConnectionsClient(
    { region: 'us-east-1', connectionsEndpoint: endpoint },
    { accessKeyId: 'local', secretAccessKey: 'local' },
  );
  return { db: env.clients.db, management };
}

const settings = () => ({ tableName: env.table.tableName });

test('a live connection is counted by the dry run and the catalogue', async () => {
  const validate = await env.handler<RestHandler>('popValidate')(
    restEvent({ method: 'POST', resource: '/pop/validate', body: popBody(), claims }),
    lambdaContext(),
  );
  expect(validate.statusCode).toBe(200);
  const one = await env.handler<RestHandler>('campaign')(
    restEvent({ method: 'GET', resource: '/campaigns/{Name}', pathParameters: { Name: 'Sales' }, claims }),
    lambdaContext(),
  );
  expect(JSON.parse(one.body).Result.Agents).toBe(1);
});

test('a connection @connections answers 410 for: validate answers what POST /pop answers, the catalogue omits it', async () => {
  const clients = clientsWithConnections(goneEndpoint);
  const validate = makePopValidateHandler(popValidateDependencies(settings(), clients)) as unknown as RestHandler;
  const refused = await validate(
    restEvent({ method: 'POST', resource: '/pop/validate', body: popBody(), claims }),
    lambdaContext(),
  );
  expect(refused.statusCode).toBe(404);
  expect(JSON.parse(refused.body).Error.Code).toBe('AgentNotOnDesktop');
  // With HoldSeconds the pop would be held, as POST /pop holds a pop whose every push found the connection gone.
  const held = await validate(
    restEvent({ method: 'POST', resource: '/pop/validate', body: popBody({ HoldSeconds: 60 }), claims }),
    lambdaContext(),
  );
  expect(JSON.parse(held.body).Result.Status).toBe('Held');

  const catalogue = makeCampaignHandler(campaignsDependencies(settings(), clients)) as unknown as RestHandler;
  const one = await catalogue(
    restEvent({ method: 'GET', resource: '/campaigns/{Name}', pathParameters: { Name: 'Sales' }, claims }),
    lambdaContext(),
  );
  expect(one.statusCode).toBe(404);
  expect(JSON.parse(one.body).Error.Code).toBe('CampaignNotFound');

  // And POST /pop, which learns it from its push, answers the very refusal the dry run gave.
  const popSettings = { ...settings(), claimWindowSeconds: 60, popRetentionDays: 3 };
  const pop = makePopHandler(popDependencies(popSettings, clients, noMetrics)) as unknown as RestHandler;
  const popped = await pop(restEvent({ method: 'POST', resource: '/pop', body: popBody(), claims }), lambdaContext());
  expect({ status: popped.statusCode, code: JSON.parse(popped.body).Error?.Code }).toEqual({
    status: refused.statusCode,
    code: JSON.parse(refused.body).Error.Code,
  });
});
