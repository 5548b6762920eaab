/**
 * Limits per tenant (docs/edge.md), on a stack of its own started with a tenant throttle (the default usage plan):
 * the REST authorizer names each tenant's API key, the gateway throttles each key on its plan. One tenant sending at
 * 10x its limit gets 429 in the envelope with Retry-After while another tenant popping at the same time gets none; a
 * tenant without a key is refused 403; an operator's override (tenant limits) takes effect without a restart.
 * The other tenant's p50 alone and under the flood is printed, not asserted: timings belong to the bench (bench/run.ts).
 */
import { APIGatewayClient, GetApiKeysCommand } from '@aws-sdk/client-api-gateway';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { LOCAL_CREDENTIALS } from '../../local/provision';
import { generatePassword } from '../../provisioning/password';
import {
  ensureTenantKey,
  resetTenantLimits,
  setTenantLimits,
  type UsagePlanTarget,
} from '../../provisioning/tenantKeys';
import { createTenantUser } from '../../provisioning/tenantUsers';
import { basic, callApi, uniqueName, uniqueTenant, type ApiAnswer } from './support';
import { startOwnStack, type OwnStack } from './support/ownStack';
import { run } from '../../provisioning/main';
import type { Io } from '../../provisioning/commands';
import { EXIT } from '../../provisioning/errors';
import { EXIT as VERIFY_EXIT, verify } from '../../ops/verify/main';
import * as path from 'path';
import { recordSecret, recordTokens } from './support/secrets';

jest.setTimeout(120_000);

const LIMIT = { rate: 5, burst: 5 };
const FLOOD_RATE = LIMIT.rate * 10;
const FLOOD_SECONDS = 2;

let stack: OwnStack;
let apigw: APIGatewayClient;
let target: UsagePlanTarget;

beforeAll(async () => {
  stack = await startOwnStack({ tenantThrottle: LIMIT });
  const e = stack.endpoints;
  apigw = new APIGatewayClient({ endpoint: e.ApiGatewayEndpoint, region: e.Region, credentials: LOCAL_CREDENTIALS });
  target = {
    client: apigw,
    restApiId: e.RestApiId!,
    stage: new URL(e.RestApiUrl).pathname.slice(1),
    defaultUsagePlanId: e.DefaultUsagePlanId!,
  };
});
afterAll(async () => {
  apigw?.destroy();
  await stack?.stop();
});

/** An api-caller of a new tenant on this stack, and its IdToken through GET /auth. */
async function callerToken(tenant: string): Promise<string> {
  const e = stack.endpoints;
  const cognito = new CognitoIdentityProviderClient({
    endpoint: e.CognitoEndpoint,
    region: e.Region,
    credentials: LOCAL_CREDENTIALS,
  });
  const username = uniqueName('api');
  const password = recordSecret('password', generatePassword());
  try {
    await createTenantUser(cognito, e.UserPoolId, { tenant, role: 'api', username, password });
  } finally {
    cognito.destroy();
  }
  const answer = await callApi('GET', '/auth', {
    headers: { Authorization: basic(username, password) },
    restApiUrl: e.RestApiUrl,
  });
  expect(answer.status).toBe(200);
  return recordTokens(answer.body.Result as { IdToken: string }).IdToken;
}

const popOf = (token: string, n: number) =>
  callApi('POST', '/pop', {
    token,
    body: { Username: 'agent-nobody', Campaign: 'c', Workflow: 'w', Reference: `R-${n}` },
    restApiUrl: stack.endpoints.RestApiUrl,
  });

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `FLOOD_RATE` pops a second for `FLOOD_SECONDS`, each sent on time whatever the answers (an open loop). */
async function flood(token: string): Promise<{ answers: ApiAnswer[]; seconds: number }> {
  const answers: Promise<ApiAnswer>[] = [];
  const start = Date.now();
  for (let n = 0; n < FLOOD_RATE * FLOOD_SECONDS; n++) {
    const due = start + (n * 1000) / FLOOD_RATE;
    if (due > Date.now()) await pause(due - Date.now());
    answers.push(popOf(token, n));
  }
  const all = await Promise.all(answers);
  return { answers: all, seconds: (Date.now() - start) / 1000 };
}

/** `count` pops one after another, a pause between them: below the limit whatever the timing. */
async function steady(token: string, count: number): Promise<{ answers: ApiAnswer[]; ms: number[] }> {
  const answers: ApiAnswer[] = [];
  const ms: number[] = [];
  for (let n = 0; n < count; n++) {
    const started = performance.now();
    answers.push(await popOf(token, 1000 + n));
    ms.push(performance.now() - started);
    await pause(250);
  }
  return { answers, ms };
}

const p50 = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

test('a tenant without an API key on a usage plan is refused 403 in the envelope', async () => {
  const token = await callerToken(uniqueTenant());
  const refused = await popOf(token, 0);
  expect(refused.status).toBe(403);
  expect(refused.body).toMatchObject({ Success: false, Error: { Code: 'Forbidden' } });
});

test('one tenant at 10x its limit gets 429 with Retry-After; another popping at the same time gets none', async () => {
  // GIVEN two tenants, each with its key on the default plan (what the provisioning CLI does for a new tenant)
  const [flooder, other] = [uniqueTenant(), uniqueTenant()];
  const [floodToken, otherToken] = [await callerToken(flooder), await callerToken(other)];
  for (const tenant of [flooder, other]) {
    expect(await ensureTenantKey(target, tenant)).toMatchObject({ own: false, limits: { rate: 5, burst: 5 } });
  }
  // AND the other tenant's pops alone
  const alone = await steady(otherToken, 8);
  // WHEN one tenant floods while the other keeps popping
  const [{ answers: flooded, seconds }, during] = await Promise.all([flood(floodToken), steady(otherToken, 8)]);
  // THEN the flooder gets no more than its bucket allows over the time it took (however slow the machine made it),
  // the rest 429 in the envelope with Retry-After
  const throttled = flooded.filter((a) => a.status === 429);
  expect(throttled.length).toBeGreaterThan(0);
  expect(flooded.length - throttled.length).toBeLessThanOrEqual(LIMIT.burst + Math.ceil(LIMIT.rate * seconds));
  for (const answer of throttled) {
    expect(answer.headers.get('retry-after')).toBe('1');
    expect(answer.body).toMatchObject({ Success: false, Error: { Code: 'TooManyRequests' } });
  }
  // AND the other tenant never is
  expect([...alone.answers, ...during.answers].filter((a) => a.status === 429)).toEqual([]);
  expect(during.answers.every((a) => a.status < 500)).toBe(true);
  process.stdout.write(
    `tenantLimits: other tenant's pop p50 alone ${p50(alone.ms).toFixed(1)} ms, during the flood ` +
      `${p50(during.ms).toFixed(1)} ms; flooder ${throttled.length}/${flooded.length} answered 429\n`,
  );
});

test('an operator gives one tenant more without a restart, and resets it to the default plan', async () => {
  const tenant = uniqueTenant();
  const token = await callerToken(tenant);
  await ensureTenantKey(target, tenant);
  // WHEN its limits are raised (its own plan)
  expect(await setTenantLimits(target, tenant, { rate: 100, burst: 40 })).toMatchObject({
    own: true,
    limits: { rate: 100, burst: 40 },
  });
  // THEN a burst over the default's 5 passes
  const burst = await Promise.all(Array.from({ length: 20 }, (_, n) => popOf(token, n)));
  expect(burst.filter((a) => a.status === 429)).toEqual([]);
  // AND a reset puts it back on the default plan
  expect(await resetTenantLimits(target, tenant)).toMatchObject({ own: false, limits: LIMIT });
});

/** The provisioning CLI in process against this stack's endpoints file. */
async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [stdout, stderr]: string[][] = [[], []];
  const io: Io = {
    out: (line) => stdout.push(line),
    err: (line) => stderr.push(line),
    interactive: false,
    ask: () => Promise.reject(new Error('no terminal')),
    readStdin: () => Promise.resolve(''),
    env: process.env,
  };
  const code = await run([...args, '--endpoints', path.join(stack.localDir, 'endpoints.json')], io);
  return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
}

test('the provisioning CLI: user create puts a new tenant on the default plan; tenant limits shows, sets, resets', async () => {
  const tenant = uniqueTenant();
  const created = await cli([
    'user',
    'create',
    '--tenant',
    tenant,
    '--username',
    uniqueName('api'),
    '--role',
    'api',
    '--json',
  ]);
  expect(created.code).toBe(EXIT.OK);
  recordSecret('password', (JSON.parse(created.stdout) as { Password: string }).Password);
  expect(created.stderr).toContain(`Tenant "${tenant}": the default usage plan localplan, 5 requests/s, burst 5.`);
  const raised = await cli(['tenant', 'limits', '--tenant', tenant, '--rate', '50', '--burst', '60', '--json']);
  expect(JSON.parse(raised.stdout)).toMatchObject({ tenant, own: true, limits: { rate: 50, burst: 60 } });
  const shown = await cli(['tenant', 'limits', '--tenant', tenant]);
  expect(shown.stdout).toMatch(/its own usage plan \w+, 50 requests\/s, burst 60\.$/);
  expect((await cli(['tenant', 'limits', '--tenant', tenant, '--reset'])).stdout).toContain('the default usage plan');
  // AND a tenant provisioned before limits per tenant (no key) is put on the default plan by the migration step
  const older = uniqueTenant();
  await callerToken(older);
  expect((await cli(['tenant', 'keys', '--all'])).stdout).toContain(`Tenant "${older}": the default usage plan`);
  expect((await cli(['tenant', 'limits', '--tenant', 'x', '--rate', '0', '--burst', '1'])).code).toBe(
    EXIT.INVALID_INPUT,
  );
});

test('npm run verify against a stack with limits per tenant: its temporary tenant gets a key, and it is removed after', async () => {
  const keysNow = async () => (await apigw.send(new GetApiKeysCommand({ limit: 500 }))).items?.length ?? 0;
  const before = await keysNow();
  const lines: string[] = [];
  const { exitCode } = await verify({
    outputs: path.join(stack.localDir, 'endpoints.json'),
    print: (l) => lines.push(l),
  });
  expect({ exitCode, lines }).toMatchObject({ exitCode: VERIFY_EXIT.OK });
  expect(await keysNow()).toBe(before);
});
