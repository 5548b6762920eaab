/**
 * What the up-front campaign checks (lambdas/pops/popPlan.ts) cost a pop, measured in one run: the pop handler is
 * invoked in process against dynalite, alternating between its real catalogue reader (one Query, in parallel with the
 * presence Query) and a reader that answers "no catalogue" without a call, which is the pop path as it was before the
 * checks. The pushes go to a stub that answers at once, so what differs is the catalogue Query alone.
 * dynalite runs in a process of its own, as in the local stack, so its work does not share this process's CPU.
 * `npx tsx bench/catalogueCheckCost.ts` prints the median wall time per pop of each variant and their ratio.
 */
import '../local/sdkQuiet';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { makePopHandler, popDependencies } from '../lambdas/pops/popHandler';
import { noMetrics } from '../lambdas/shared/metrics';
import { ConnectionStore } from '../lambdas/presence/connectionStore';
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
  const base = popDependencies(settings, { db: table.db, management: undefined as never }, noMetrics);
  const push = async () => 'sent' as const;
  const withChecks = makePopHandler({ ...base, push });
  const withoutChecks = makePopHandler({ ...base, push, catalogues: { entriesFor: async () => [] } as never });
  const samples: Record<'with' | 'without', number[]> = { with: [], without: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, handler] of [
      ['with', withChecks],
      ['without', withoutChecks],
    ] as const) {
      const start = performance.now();
      const answer = (await handler(popEvent(round * 2 + (name === 'with' ? 0 : 1)), context)) as {
        statusCode: number;
      };
      if (answer.statusCode !== 202) throw new Error(`pop answered ${answer.statusCode}`);
      if (round >= 20) samples[name].push(performance.now() - start);
    }
  }
  await table.stop();
  const withP = distribution(samples.with);
  const withoutP = distribution(samples.without);
  console.log(
    JSON.stringify(
      { rounds: ROUNDS, withChecks: withP, withoutChecks: withoutP, p50Ratio: withP.p50 / withoutP.p50 },
      null,
      2,
    ),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
