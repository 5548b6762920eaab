/**
 * What held pops (lambdas/pops/heldPops.ts, docs/held-pops.md) cost a pop to a present agent, measured in one run:
 * each round runs, in an order that alternates,
 * - `before`: `deliverPop`, the POST /pop path as it was before held pops;
 * - `after`: `popOrHold` with HoldSeconds, the path POST /pop takes now;
 * and, for the record, `held`: a pop held for an absent agent, and `desktop`: a Desktop list's look for held pops when
 * none is held. Each call's CPU (process.cpuUsage: this process only; dynalite runs in a process of its own, as in the
 * local stack) and its DynamoDB round trips (the calls the document client sends) are counted; pushes go to a stub.
 * `npx tsx bench/heldPopCost.ts` prints medians and the after/before ratio; BENCH_HELD_ROUNDS sets the rounds (400).
 */
import '../local/sdkQuiet';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CatalogueStore } from '../lambdas/catalogue/catalogueStore';
import { deliverPop } from '../lambdas/pops/delivery';
import { deliverHeldOnDesktop, popOrHold, type HoldDeps } from '../lambdas/pops/heldPops';
import { HeldPopStore } from '../lambdas/pops/heldPopStore';
import { PopStore } from '../lambdas/pops/popStore';
import { ConnectionStore } from '../lambdas/presence/connectionStore';
import type { RequestLogger } from '../lambdas/shared/logger';
import { noMetrics } from '../lambdas/shared/metrics';
import { startDynalite } from '../local/emulators';
import { createTable, dynamoDbClient } from '../local/provision';
import { distribution } from './stats';

const TENANT = 'bench';

type Variant = 'before' | 'after' | 'held' | 'desktop';

/** No log lines: the runner's terminal stays readable, and both sides of the comparison skip the same work. */
const quiet = () => undefined;
const silent: RequestLogger = { debug: quiet, info: quiet, warn: quiet, error: quiet, appendKeys: quiet };

type Figures = { cpuMs: ReturnType<typeof distribution>; roundTrips: ReturnType<typeof distribution> };
export type HeldPopCost = Record<Variant, Figures> & {
  readonly rounds: number;
  /** Mean CPU of `after` over `before`: 1 when held pops cost a present agent's pop nothing. */
  readonly afterOverBeforeCpuMeanRatio: number;
};

/** The figures of one run (npm run bench's step 9, or this file alone). */
export async function measureHeldPopCost(rounds: number): Promise<HeldPopCost> {
  const warmup = Math.min(20, Math.floor(rounds / 10));
  const dynamo = await startDynalite({ port: 0 });
  const raw = dynamoDbClient(dynamo.endpoint, 'us-east-1');
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  const tableName = 'remote-pop-bench';
  await createTable(raw, tableName);
  let roundTrips = 0;
  const send = db.send.bind(db) as (command: unknown) => Promise<unknown>;
  (db as unknown as { send: typeof send }).send = (command) => (roundTrips++, send(command));
  const connections = new ConnectionStore(db, tableName);
  const connection = await connections.putConnection({
    connectionId: 'bench/c1',
    tenant: TENANT,
    username: 'inst',
    instance: 'i1',
    connectedAt: Date.now(),
  });
  await connections.replaceDesktop(connection, ['agent1']);
  let ids = 0;
  const deps: HoldDeps = {
    connections,
    catalogues: new CatalogueStore(db, tableName),
    pops: new PopStore(db, tableName),
    held: new HeldPopStore(db, tableName),
    push: async () => 'sent',
    claimWindowMs: 60_000,
    retentionMs: 86_400_000,
    newPopId: () => `bench-pop-${++ids}`,
    now: () => Date.now(),
    log: silent,
    metrics: noMetrics,
  };
  // The tenant's held pops are another tenant's partition: the Desktop look below finds none.
  const run: Record<Variant, (i: number) => Promise<unknown>> = {
    before: (i) => deliverPop(deps, TENANT, { Username: 'agent1', Campaign: 'Sales', Reference: `B-${i}` }),
    after: (i) =>
      popOrHold(deps, TENANT, { Username: 'agent1', Campaign: 'Sales', Reference: `A-${i}`, HoldSeconds: 60 }),
    held: (i) =>
      popOrHold(deps, 'absent', { Username: 'nobody', Campaign: 'Sales', HoldSeconds: 60, ScriptData: { i } }),
    desktop: () => deliverHeldOnDesktop(deps, TENANT),
  };
  const cpu: Record<Variant, number[]> = { before: [], after: [], held: [], desktop: [] };
  const trips: Record<Variant, number[]> = { before: [], after: [], held: [], desktop: [] };
  for (let round = 0; round < rounds; round++) {
    // Before and after swap places each round, so neither always follows the other (a GC, a JIT tier).
    const order: Variant[] =
      round % 2 === 0 ? ['before', 'after', 'held', 'desktop'] : ['after', 'before', 'desktop', 'held'];
    for (const variant of order) {
      const [tripsBefore, start] = [roundTrips, process.cpuUsage()];
      await run[variant](round);
      const used = process.cpuUsage(start);
      if (round < warmup) continue;
      cpu[variant].push((used.user + used.system) / 1000);
      trips[variant].push(roundTrips - tripsBefore);
    }
  }
  raw.destroy();
  await dynamo.stop();
  const figures = Object.fromEntries(
    (Object.keys(run) as Variant[]).map((v) => [
      v,
      { cpuMs: distribution(cpu[v]), roundTrips: distribution(trips[v]) },
    ]),
  ) as Record<Variant, Figures>;
  const cpuMean = (v: Variant) => cpu[v].reduce((a, b) => a + b, 0) / cpu[v].length;
  return { rounds, ...figures, afterOverBeforeCpuMeanRatio: Number((cpuMean('after') / cpuMean('before')).toFixed(3)) };
}

if (require.main === module) {
  measureHeldPopCost(Number(process.env.BENCH_HELD_ROUNDS ?? 400))
    .then((figures) => console.log(JSON.stringify(figures, null, 2)))
    .catch((error) => {
      console.error(error);
      process.exit(1);
    });
}
