/**
 * A pop pushed and never acknowledged does not stay `Sent` for ever (issue 25, item 3): once the claim window has
 * passed with no Ack it reads `Expired` with Reason `Unconfirmed` (the instance never said what became of it), so a
 * caller waiting on it (the SDK's waitFor) ends; a late Ack still applies, since the stored status is still Sent.
 * Handlers in process against dynalite (test/unit/fuzz/harness.ts; its claim window is 60 s).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lambdaContext, restEvent, seedPresence, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';

jest.setTimeout(60_000);

type Rest = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let env: FuzzEnvironment;
const TENANT = 'unconfirmed';
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };

beforeAll(async () => {
  env = await startFuzzEnvironment();
  await seedPresence(env.table, TENANT, 'agent1', 'unconfirmed-conn');
});
afterAll(async () => env?.stop());
afterEach(() => jest.restoreAllMocks());

async function statusOf(popId: string) {
  const event = restEvent({ method: 'GET', resource: '/pops/{PopId}', pathParameters: { PopId: popId }, claims });
  const result = await env.handler<Rest>('popStatus')(event, lambdaContext());
  return (JSON.parse(result.body) as { Result: { Status: string; Reason?: string } }).Result;
}

test('a Sent pop with no Ack reads Sent inside the claim window, then Expired (Unconfirmed)', async () => {
  const body = JSON.stringify({ Username: 'agent1', Campaign: 'Sales' });
  const accepted = await env.handler<Rest>('pop')(
    restEvent({ method: 'POST', resource: '/pop', body, claims }),
    lambdaContext(),
  );
  expect(accepted.statusCode).toBe(202);
  const { PopId } = (JSON.parse(accepted.body) as { Result: { PopId: string } }).Result;

  expect(await statusOf(PopId)).toMatchObject({ Status: 'Sent' });

  const now = Date.now();
  jest.spyOn(Date, 'now').mockReturnValue(now + 61_000);
  expect(await statusOf(PopId)).toMatchObject({ Status: 'Expired', Reason: 'Unconfirmed' });
});
