/**
 * Load with nothing lost: N pops over A agents on I instances in T tenants, from concurrent callers, against a running
 * stack (the e2e support helpers' endpoints). Every instance acknowledges each pop it receives (Delivered, then
 * Opened). Checks: every accepted pop arrived exactly once, at the instance of its own tenant that holds its agent;
 * nothing arrived that was not accepted; every accepted pop's status reached Opened (GET /pops, all or a sample).
 * Used by test/e2e/reliability/load.test.ts (reduced size, in `npm test`) and test/load/main.ts (`npm run test:load`).
 */
import {
  callApi,
  connectInstance,
  createUser,
  getToken,
  uniqueName,
  uniqueTenant,
  type InstanceConnection,
} from '../e2e/support';

export interface LoadOptions {
  readonly pops: number;
  readonly agents: number;
  readonly instances: number;
  readonly tenants: number;
  /** Requests in flight at once across all callers. */
  readonly concurrency: number;
  /** How many pops' status to read back (all when >= pops). */
  readonly statusChecks: number;
  readonly log?: (line: string) => void;
}

export interface LoadReport {
  readonly requested: number;
  readonly accepted: number;
  readonly refused: Record<string, number>;
  readonly delivered: number;
  readonly duplicates: number;
  readonly misrouted: number;
  readonly unexpected: number;
  readonly missing: number;
  readonly ackErrors: number;
  readonly statusChecked: number;
  readonly opened: number;
  readonly notOpened: Record<string, number>;
  readonly popMs: number;
  readonly totalMs: number;
  readonly popsPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number };
}

interface Instance {
  readonly tenant: number;
  readonly index: number;
  readonly connection: InstanceConnection;
  readonly received: Map<string, number>;
  ackErrors: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function settle(connection: InstanceConnection, timeoutMs: number): Promise<void> {
  const pongs = () => connection.messages.filter((m: any) => m?.Type === 'Pong').length;
  const before = pongs();
  connection.send({ Action: 'Ping' });
  await connection.waitForMessage(() => pongs() > before, timeoutMs);
}

/** Run `work` over `items` with at most `limit` in flight. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

export async function runPopLoad(options: LoadOptions): Promise<LoadReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  const agentsPerTenant = Math.ceil(options.agents / options.tenants);
  const instancesPerTenant = Math.ceil(options.instances / options.tenants);
  const agentName = (index: number) => `agent-${String(index).padStart(3, '0')}`;
  /** Agent a of a tenant is on exactly one Desktop: instance a % instancesPerTenant of that tenant. */
  const holder = (agent: number) => agent % instancesPerTenant;

  // Tenants, each with one api-caller and its instances (one Cognito user each); the SAME agent names in every tenant.
  const tenants = Array.from({ length: options.tenants }, () => uniqueTenant());
  const callerTokens = await Promise.all(
    tenants.map(async (tenant) => {
      const user = await createUser(tenant, 'api');
      return (await getToken(user.username, user.password)).IdToken;
    }),
  );
  const instances: Instance[] = [];
  await Promise.all(
    tenants.flatMap((tenant, t) =>
      Array.from({ length: instancesPerTenant }, async (_, i) => {
        const user = await createUser(tenant, 'instance', uniqueName(`inst-${t}-${i}`));
        const { IdToken } = await getToken(user.username, user.password);
        const connection = await connectInstance(IdToken, { instance: `desk-${i}` });
        const instance: Instance = { tenant: t, index: i, connection, received: new Map(), ackErrors: 0 };
        connection.socket.on('message', (data) => {
          const message = JSON.parse(data.toString());
          if (message.Type === 'Pop') {
            instance.received.set(message.PopId, (instance.received.get(message.PopId) ?? 0) + 1);
            connection.send({ Action: 'Ack', PopId: message.PopId, Status: 'Delivered' });
            connection.send({ Action: 'Ack', PopId: message.PopId, Status: 'Opened' });
          } else if (message.Type === 'Error') {
            instance.ackErrors++;
          }
        });
        const agents = Array.from({ length: agentsPerTenant }, (_, a) => a)
          .filter((a) => holder(a) === i)
          .map(agentName);
        connection.send({ Action: 'Desktop', Agents: agents });
        await settle(connection, 10_000);
        instances.push(instance);
      }),
    ),
  );
  log(
    `load: ${tenants.length} tenants, ${instances.length} instances, ${agentsPerTenant * tenants.length} agents ready in ${Date.now() - started} ms`,
  );

  try {
    // Pops spread evenly over tenants and agents; every pop its own record.
    const run = uniqueName('L');
    const plan = Array.from({ length: options.pops }, (_, n) => ({
      n,
      tenant: n % tenants.length,
      agent: Math.floor(n / tenants.length) % agentsPerTenant,
    }));
    const accepted = new Map<string, { tenant: number; agent: number }>();
    const refused: Record<string, number> = {};
    const latencies: number[] = [];
    const popStarted = Date.now();
    await pool(plan, options.concurrency, async ({ n, tenant, agent }) => {
      const sent = Date.now();
      let answer;
      try {
        answer = await callApi('POST', '/pop', {
          token: callerTokens[tenant]!,
          body: {
            Username: agentName(agent),
            Campaign: 'Sales',
            Reference: `${run}-${n}`,
            ScriptData: { Seq: n, 'Contact Name': `Caller ${n}` },
          },
        });
      } catch (error) {
        refused.network = (refused.network ?? 0) + 1;
        return;
      }
      latencies.push(Date.now() - sent);
      if (answer.status === 202) accepted.set(answer.body.Result.PopId, { tenant, agent });
      else
        refused[`${answer.status} ${answer.body?.Error?.Code ?? ''}`] =
          (refused[`${answer.status} ${answer.body?.Error?.Code ?? ''}`] ?? 0) + 1;
    });
    const popMs = Date.now() - popStarted;
    log(`load: ${accepted.size}/${options.pops} pops accepted in ${popMs} ms`);

    // Wait until every accepted pop has arrived somewhere (or a deadline), then until every instance's acks are handled.
    const deadline = Date.now() + 30_000 + options.pops * 5;
    const arrived = () =>
      instances.reduce((sum, i) => sum + [...i.received.keys()].filter((id) => accepted.has(id)).length, 0);
    while (arrived() < accepted.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    await Promise.all(instances.map((i) => settle(i.connection, 60_000)));

    let delivered = 0;
    let duplicates = 0;
    let misrouted = 0;
    let unexpected = 0;
    const seen = new Set<string>();
    for (const instance of instances) {
      for (const [popId, times] of instance.received) {
        const expected = accepted.get(popId);
        if (!expected) {
          unexpected += times;
          continue;
        }
        if (seen.has(popId)) duplicates += times;
        else {
          seen.add(popId);
          delivered++;
          duplicates += times - 1;
        }
        if (instance.tenant !== expected.tenant || instance.index !== holder(expected.agent)) misrouted++;
      }
    }
    const missing = [...accepted.keys()].filter((id) => !seen.has(id)).length;

    // Status read back by each pop's own tenant.
    const ids = [...accepted.entries()];
    const step = Math.max(1, Math.floor(ids.length / Math.max(1, options.statusChecks)));
    const sample = ids.filter((_, i) => i % step === 0).slice(0, options.statusChecks);
    let opened = 0;
    const notOpened: Record<string, number> = {};
    await pool(sample, options.concurrency, async ([popId, { tenant }]) => {
      const status = await callApi('GET', `/pops/${popId}`, { token: callerTokens[tenant]! });
      const value = status.status === 200 ? status.body.Result.Status : `${status.status}`;
      if (value === 'Opened') opened++;
      else notOpened[value] = (notOpened[value] ?? 0) + 1;
    });

    latencies.sort((a, b) => a - b);
    return {
      requested: options.pops,
      accepted: accepted.size,
      refused,
      delivered,
      duplicates,
      misrouted,
      unexpected,
      missing,
      ackErrors: instances.reduce((sum, i) => sum + i.ackErrors, 0),
      statusChecked: sample.length,
      opened,
      notOpened,
      popMs,
      totalMs: Date.now() - started,
      popsPerSecond: Math.round((accepted.size / Math.max(1, popMs)) * 1000),
      latencyMs: {
        p50: percentile(latencies, 50),
        p95: percentile(latencies, 95),
        p99: percentile(latencies, 99),
        max: latencies[latencies.length - 1] ?? 0,
      },
    };
  } finally {
    await Promise.all(instances.map((i) => i.connection.close()));
  }
}

/** One line per figure, for the test output and the load run. */
export function describeReport(report: LoadReport): string {
  return [
    `pops requested ${report.requested}, accepted ${report.accepted}, refused ${JSON.stringify(report.refused)}`,
    `delivered exactly once ${report.delivered}, duplicates ${report.duplicates}, misrouted ${report.misrouted}, unexpected ${report.unexpected}, missing ${report.missing}, ack errors ${report.ackErrors}`,
    `status checked ${report.statusChecked}, Opened ${report.opened}, other ${JSON.stringify(report.notOpened)}`,
    `${report.popsPerSecond} pops/s; POST /pop latency ms p50 ${report.latencyMs.p50} p95 ${report.latencyMs.p95} p99 ${report.latencyMs.p99} max ${report.latencyMs.max}; pops ${report.popMs} ms, whole run ${report.totalMs} ms`,
  ].join('\n');
}
