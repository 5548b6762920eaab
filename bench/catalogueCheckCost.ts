/**
 * What the up-front campaign checks (lambdas/pops/popPlan.ts) cost a pop, measured in one run: the pop handler is
 * invoked in process against dynalite, its agent on a connection that published a catalogue, rotating per pop between
 * - `before`: presence read as if no instance published a catalogue and no entries read, the pop path before the checks;
 * - `cold`: the entries read on every pop, one Query in parallel with the presence Query (no kept entries);
 * - `warm`: the handler as deployed, which keeps the entries it read (lambdas/catalogue/catalogueCache.ts) and, while
 *   presence shows them current, reads presence alone.
 * The pushes go to a stub that answers at once, so what differs is the checks alone.
 * dynalite runs in a process of its own, as in the local stack, so its work does not share this process's CPU.
 * `npx tsx bench/catalogueCheckCost.ts` prints the median wall time per pop of each variant and their ratio.
 */
import '../local/sdkQuiet';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { makePopHandler, popDependencies } from '../lambdas/pops/popHandler';
import { noMetrics } from '../lambdas/shared/metrics';
import { ConnectionStore, type ConnectionItem } from '../lambdas/presence/connectionStore';
import { CatalogueStore } from '../lambdas/catalogue/catalogueStore';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startDynalite } from '../local/emulators';
import { createTable, dynamoDbClient } from '../local/provision';
import { distribution } from './stats';

const ROUNDS = Number(process.env.BENCH_CATALOGUE_ROUNDS ?? 400);
const TENANT = 'bench';
const claims = { 'cognito:username': 'crm', 'custom:tenant': TENANT, 'cognito:groups': 'api-callers' };
const context = { awsRequestId: 'bench', getRemainingTimeInMillis: () => 10_000 } as unknown as Context;

function popEvent(index: number): APIGatewayProxyEvent {
  const body = JSON.stringify({
    Username: 'agent1',
    Campaign: 'Sales',
    Reference: `R-${index}`,
    ScriptData: { Name: 'Ada' },
  });
  return {
    resource: '/pop',
    path: '/pop',
    httpMethod: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body,
    isBase64Encoded: false,
    requestContext: { requestId: `bench-${index}`, authorizer: { claims } },
  } as unknown as APIGatewayProxyEvent;
}

async function main(): Promise<void> {
  const dynamo = await startDynalite({ port: 0 });
  const raw = dynamoDbClient(dynamo.endpoint, 'us-east-1');
  const table = {
    tableName: 'remote-pop-bench',
    db: DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } }),
    stop: () => dynamo.stop(),
  };
  await createTable(raw, table.tableName);
  const settings = { tableName: table.tableName, claimWindowSeconds: 60, popRetentionDays: 3 };
  const connections = new ConnectionStore(table.db, table.tableName);
  const connection = await connections.putConnection({
    connectionId: 'bench/c1',
    tenant: TENANT,
    username: 'inst',
    instance: 'i1',
    connectedAt: Date.now(),
  });
  await connections.replaceDesktop(connection, ['agent1']);
  await publishCatalogue(new CatalogueStore(table.db, table.tableName), connection);
  const base = popDependencies(settings, { db: table.db, management: undefined as never }, noMetrics);
  const push = async () => 'sent' as const;
  const asBefore: typeof connections = Object.create(connections);
  asBefore.connectionsForAgent = async (tenant, agent) =>
    (await connections.connectionsForAgent(tenant, agent)).map(({ catalogue: _, ...rest }) => rest);
  const handlers = {
    before: makePopHandler({
      ...base,
      push,
      connections: asBefore,
      catalogues: { entriesFor: async () => [] } as never,
    }),
    cold: makePopHandler({ ...base, push, catalogueCache: undefined }),
    warm: makePopHandler({ ...base, push }),
  };
  const samples: Record<keyof typeof handlers, number[]> = { before: [], cold: [], warm: [] };
  let index = 0;
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of Object.keys(handlers) as (keyof typeof handlers)[]) {
      const start = performance.now();
      const answer = (await handlers[name](popEvent(index++), context)) as { statusCode: number };
      if (answer.statusCode !== 202) throw new Error(`pop answered ${answer.statusCode}`);
      if (round >= 20) samples[name].push(performance.now() - start);
    }
  }
  await table.stop();
  const [before, cold, warm] = [samples.before, samples.cold, samples.warm].map(distribution);
  console.log(
    JSON.stringify(
      { rounds: ROUNDS, before, cold, warm, coldP50Ratio: cold.p50 / before.p50, warmP50Ratio: warm.p50 / before.p50 },
      null,
      2,
    ),
  );
}

/** The connection publishes a one-part catalogue holding the campaign the pops name, as the instance would. */
async function publishCatalogue(catalogues: CatalogueStore, connection: ConnectionItem): Promise<void> {
  const campaign = {
    Name: 'Sales',
    Active: true,
    Type: 'external' as const,
    AllowRecordCreation: false,
    Workflow: 'Sales Call',
    ExternalLinks: [{ Name: 'Name', Fills: 'Field' as const, Target: 'Name', Type: 'string' as const, Required: true }],
  };
  await catalogues.putCampaigns(connection, 1, [campaign]);
  if ((await catalogues.recordPart(connection.connectionId, 1, 1, 1)) !== 'complete') throw new Error('not complete');
  await catalogues.completeCatalogue(connection.connectionId, 1);
  await catalogues.markPresence(connection, [{ agent: 'agent1', values: { Catalogue: 1 } }]);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
