/**
 * The steps of the round trip (roundTrip.ts runs them), each through the project's own clients: the provisioning
 * code for the users (provisioning/tenantUsers.ts), the caller SDK (sdk/src) for every REST call, the reference
 * Scripting instance (instance/) as the synthetic instance. A step returns what it did, or why it was skipped.
 */
import { randomUUID } from 'node:crypto';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { validateConfig } from '../../instance/config';
import { startInstance, type RunningInstance } from '../../instance/instance';
import { createLogger, type LogEntry } from '../../instance/log';
import { RefusedError, RemotePopClient, verifyWebhook, type PopEvent } from '../../sdk/src/index';
import { WebhookReceiver } from './receiver';
import { removeRunItems, type Identity, type RunTraces, type Table, type TenantUsers, type UserPool } from './tenant';
import { UnreachableError } from './errors';

/** What a round trip needs of a stack: its URLs and clients for its user pool and table. */
export interface StackUnderTest {
  readonly restApiUrl: string;
  readonly webSocketUrl: string;
  readonly userPoolId: string;
  /** The stack can reach this machine (the local stack): the webhook delivery is checked. */
  readonly local: boolean;
  readonly cognito: CognitoIdentityProviderClient;
  readonly table: Table;
  /** The stack's usage plans (a temporary tenant's API key; ops/verify/tenant.ts); none for a standing tenant's. */
  readonly usagePlans?: UserPool['usagePlans'];
}

/** One round trip's state, filled in by the steps. */
export interface Run {
  readonly stack: StackUnderTest;
  readonly identity: Identity;
  readonly timeoutMs: number;
  readonly traces: RunTraces;
  users?: TenantUsers;
  client?: RemotePopClient;
  receiver?: WebhookReceiver;
  webhook?: { id: string; secret: string };
  instance?: RunningInstance;
  /** The synthetic instance's warnings and errors, for a failed step's message. */
  instanceLog?: LogEntry[];
  /** The recalled pop's opening, held by the instance; released at clean-up. */
  heldPops?: (() => void)[];
  popId?: string;
  recalledPopId?: string;
  events?: PopEvent[];
}

export const AGENT = 'verify-agent';
export const CAMPAIGN = 'Verify';

const recallReference = (run: Run): string => `${run.identity.tenant}-2`;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const need = <T>(value: T | undefined, what: string): T => {
  if (value === undefined) throw new Error(`${what} is missing (an earlier step did not run)`);
  return value;
};

function callerClient(run: Run, password?: string): RemotePopClient {
  const api = need(run.users, 'the api caller').api;
  return new RemotePopClient({
    baseUrl: run.stack.restApiUrl,
    username: api.username,
    password: password ?? api.password,
    retry: { deadlineMs: run.timeoutMs },
  });
}

/** The user pool and, with limits per tenant, the usage plans the tenant's users and key go to. */
const poolOf = (run: Run) => ({
  cognito: run.stack.cognito,
  userPoolId: run.stack.userPoolId,
  ...(run.stack.usagePlans ? { usagePlans: run.stack.usagePlans } : {}),
});

async function provision(run: Run): Promise<string> {
  run.users = await run.identity.provision(poolOf(run));
  run.client = callerClient(run);
  return `tenant ${run.identity.tenant}: api caller ${run.users.api.username}, instance user ${run.users.instance.username}`;
}

const NO_RECEIVER = 'deployed stack: it cannot reach a receiver on this machine (verify the local stack to check it)';

async function registerWebhook(run: Run): Promise<string | { skipped: string }> {
  if (!run.stack.local) return { skipped: NO_RECEIVER };
  run.receiver = await new WebhookReceiver().start();
  const created = await need(run.client, 'the caller').createWebhook({ Url: run.receiver.url });
  run.webhook = { id: created.WebhookId, secret: created.Secret };
  return `webhook ${created.WebhookId} to ${run.receiver.url}`;
}

async function connect(run: Run, afterConnect?: (run: Run) => Promise<void>): Promise<string> {
  const user = need(run.users, 'the instance user').instance;
  const config = validateConfig({
    authUrl: `${run.stack.restApiUrl}/auth`,
    webSocketUrl: run.stack.webSocketUrl,
    username: user.username,
    password: user.password,
    instanceName: `${run.identity.tenant}-instance`,
    licence: { type: 'PerSystem' },
    campaigns: [{ name: CAMPAIGN, type: 'external', active: true, allowRecordCreation: true, workflow: CAMPAIGN }],
    agents: [AGENT],
    reconnect: { minMs: 200, maxMs: 1000 },
    publishCatalogue: false,
  });
  run.instanceLog = [];
  const log = run.instanceLog;
  run.heldPops = [];
  const held = run.heldPops;
  run.instance = await startInstance(config, {
    logger: createLogger((entry) => log.push(entry), 'warn'),
    // The second pop is recalled: it waits here until then, as a pop the agent has not opened yet.
    openGate: (message) =>
      message.Reference === recallReference(run)
        ? new Promise<void>((resolve) => held.push(resolve))
        : Promise.resolve(),
  });
  run.traces.agents.push(AGENT);
  const instance = run.instance;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), run.timeoutMs)));
  const connected = await Promise.race([instance.connector.whenConnected().then(() => true), timeout]);
  clearTimeout(timer);
  if (connected !== true) {
    const last = log.at(-1);
    throw new UnreachableError(
      `the synthetic instance did not connect to ${run.stack.webSocketUrl} within ${run.timeoutMs} ms` +
        (last ? ` (last: ${last.message})` : ''),
    );
  }
  await afterConnect?.(run);
  return `instance ${config.instanceName} connected to ${run.stack.webSocketUrl} with agent ${AGENT}`;
}

/** POST /pop to the synthetic instance's agent; until its Desktop list is handled the answer is AgentNotOnDesktop. */
async function popOnce(run: Run, reference: string): Promise<string> {
  const client = need(run.client, 'the caller');
  run.traces.claims.push({ campaign: CAMPAIGN, reference });
  const deadline = Date.now() + run.timeoutMs;
  for (;;) {
    // A new key per attempt: a refusal is kept under its key and would be answered again.
    const idempotencyKey = randomUUID();
    run.traces.idempotencyKeys.push(idempotencyKey);
    try {
      const popId = await client.pop({ Username: AGENT, Campaign: CAMPAIGN, Reference: reference }, { idempotencyKey });
      run.traces.popIds.push(popId);
      return popId;
    } catch (error) {
      const waitingForDesktop = error instanceof RefusedError && error.code === 'AgentNotOnDesktop';
      if (!waitingForDesktop || Date.now() >= deadline) throw error;
      await sleep(100);
    }
  }
}

async function pop(run: Run): Promise<string> {
  run.popId = await popOnce(run, `${run.identity.tenant}-1`);
  return `PopId ${run.popId} to ${AGENT}, campaign ${CAMPAIGN}`;
}

async function opened(run: Run): Promise<string> {
  const popId = need(run.popId, 'the pop');
  const client = need(run.client, 'the caller');
  const status = await client.waitFor(popId, { until: 'Opened', timeoutMs: run.timeoutMs, pollIntervalMs: 100 });
  return `PopId ${popId} ${status.Status} on the instance`;
}

/** Reads the tenant's feed (GET /events) until `popId` has `status` in it. */
async function untilInFeed(run: Run, popId: string, status: string): Promise<PopEvent> {
  const client = need(run.client, 'the caller');
  run.events ??= [];
  const deadline = Date.now() + run.timeoutMs;
  let after: string | undefined = run.events.at(-1)?.Cursor;
  for (;;) {
    for await (const { event, cursor } of client.events(after === undefined ? {} : { after })) {
      run.events.push(event);
      after = cursor;
    }
    const found = run.events.find((event) => event.PopId === popId && event.Status === status);
    if (found) return found;
    if (Date.now() >= deadline) throw new Error(`${popId} ${status} not in GET /events after ${run.timeoutMs} ms`);
    await sleep(200);
  }
}

async function events(run: Run): Promise<string> {
  const popId = need(run.popId, 'the pop');
  await untilInFeed(run, popId, 'Opened');
  const statuses = run.events!.filter((event) => event.PopId === popId).map((event) => event.Status);
  return `GET /events: ${popId} ${statuses.join(', ')}`;
}

async function webhookDelivery(run: Run): Promise<string | { skipped: string }> {
  if (!run.receiver || !run.webhook) return { skipped: NO_RECEIVER };
  const popId = need(run.popId, 'the pop');
  const secret = run.webhook.secret;
  const delivery = await run.receiver.waitFor(async ({ headers, body }) => {
    // A signature that does not verify fails the step: the receiver only ever gets this stack's deliveries.
    const payload = await verifyWebhook<{ PopId: string; Status: string }>(headers, body, secret);
    return payload.PopId === popId ? payload : undefined;
  }, run.timeoutMs);
  return `signed delivery of ${popId} ${delivery.Status} verified`;
}

async function recall(run: Run): Promise<string> {
  const popId = await popOnce(run, recallReference(run));
  run.recalledPopId = popId;
  const answer = await need(run.client, 'the caller').recall(popId);
  if (answer.Status !== 'Recalled') throw new Error(`DELETE /pops/${popId} answered Status ${answer.Status}`);
  // Recalled is final: once it is in the feed, nothing more of this pop is on its way to the feed.
  await untilInFeed(run, popId, 'Recalled');
  return `second pop ${popId} Recalled (answer and feed)`;
}

async function wrongPassword(run: Run): Promise<string> {
  const intruder = callerClient(run, `${need(run.users, 'the api caller').api.password}-wrong`);
  try {
    await intruder.getPop(need(run.popId, 'the pop'));
  } catch (error) {
    if (error instanceof RefusedError && error.status === 401) return `GET /auth refused: 401 ${error.code}`;
    throw error;
  }
  throw new Error('a wrong password was accepted: GET /auth gave a token');
}

export const STEPS: readonly {
  name: string;
  run: (run: Run, afterConnect?: (run: Run) => Promise<void>) => Promise<string | { skipped: string }>;
}[] = [
  { name: 'provision', run: provision },
  { name: 'webhook', run: registerWebhook },
  { name: 'connect', run: connect },
  { name: 'pop', run: pop },
  { name: 'opened', run: opened },
  { name: 'events', run: events },
  { name: 'delivery', run: webhookDelivery },
  { name: 'recall', run: recall },
  { name: 'wrong password', run: wrongPassword },
];

/** Stops the instance and the receiver, deletes the webhook, the run's items and (temporary tenant) the users. */
export async function cleanUp(run: Run): Promise<string> {
  const problems: string[] = [];
  const attempt = async (what: string, act: () => Promise<unknown>) =>
    act().catch((error: unknown) => problems.push(`${what}: ${(error as Error).message}`));
  for (const release of run.heldPops ?? []) release();
  await attempt('stop the instance', async () => run.instance?.stop());
  await attempt('stop the receiver', async () => run.receiver?.stop());
  if (run.webhook) await attempt('delete the webhook', () => run.client!.deleteWebhook(run.webhook!.id));
  let items = 0;
  await attempt('delete the table items', async () => {
    items = await removeRunItems(run.stack.table, run.identity.tenant, run.traces);
  });
  if (run.users) await attempt('remove the users', () => run.identity.release(poolOf(run)));
  if (problems.length > 0) throw new Error(problems.join('; '));
  return `instance stopped, ${run.webhook ? 'webhook deleted, ' : ''}${items} table keys deleted, users released`;
}
