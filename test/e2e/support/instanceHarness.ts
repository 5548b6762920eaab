/**
 * The reference Scripting instance (instance/instance.ts `startInstance`) run in-process against a local stack (the
 * shared e2e stack or one from `startOwnStack`), and a caller's view of the same stack: a unique tenant with an
 * api-caller that pops and reads pop statuses, as a third-party system does.
 *
 *   const stack = sharedStack();
 *   const tenant = await TestTenant.create(stack);
 *   const desk = await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
 *   const status = await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
 *   desk.instance.desktop.agent('agent1');
 */
import { appendFileSync } from 'fs';
import * as path from 'path';
import WebSocket from 'ws';
import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { validateConfig } from '../../../instance/config';
import { defaultWebSocketFactory } from '../../../instance/connector';
import { startInstance, type RunningInstance, type StartOptions } from '../../../instance/instance';
import { createLogger, formatLine, type LogEntry, type Logger } from '../../../instance/log';
import { cognitoClient } from '../../../local/provision';
import { generatePassword } from '../../../provisioning/password';
import { createTenantUser, type Role } from '../../../provisioning/tenantUsers';
import { callApi, type ApiAnswer, type CallOptions } from './api';
import { readEndpoints, testHooksUrl, type LocalEndpoints } from './endpoints';
import { uniqueName, uniqueTenant } from './names';
import { recordSecret, recordTokens } from './secrets';
import type { TestUser } from './users';

/** Where a stack is: its endpoints and its gateway test hooks. */
export interface StackTarget {
  readonly endpoints: LocalEndpoints;
  readonly testHooksUrl: string;
}

/** The one e2e stack of this run (globalSetup). */
export function sharedStack(): StackTarget {
  return { endpoints: readEndpoints(), testHooksUrl: testHooksUrl() };
}

/**
 * Polls `check` until it returns something other than undefined/false; rejects after timeoutMs with `what`. The
 * default deadline is generous: it only bounds a wait that ends at the event, and a loaded machine is slow.
 */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 20_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() >= deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type RestAnswer<T = any> = ApiAnswer<T>;

/** `callApi` against a given stack (the shared one or a test file's own). */
export function restCall<T = any>(
  stack: StackTarget,
  method: string,
  path: string,
  options: Omit<CallOptions, 'restApiUrl'> = {},
): Promise<RestAnswer<T>> {
  return callApi<T>(method, path, { ...options, restApiUrl: stack.endpoints.RestApiUrl });
}

export const basicAuthorization = (user: { username: string; password: string }): string =>
  recordSecret('basic', `Basic ${Buffer.from(`${user.username}:${user.password}`, 'utf8').toString('base64')}`);

/** `exp` of a JWT in epoch seconds (unverified; for planning waits only). */
export function tokenExpiry(token: string): number {
  const claims = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { exp?: number };
  if (typeof claims.exp !== 'number') throw new Error('token without exp');
  return claims.exp;
}

const cognitoClients = new Map<string, CognitoIdentityProviderClient>();

/** A user of `tenant` in the role's group on that stack, through the same provisioning code as the provisioning CLI. */
export async function createStackUser(stack: StackTarget, tenant: string, role: Role): Promise<TestUser> {
  const { CognitoEndpoint, Region, UserPoolId } = stack.endpoints;
  let cognito = cognitoClients.get(CognitoEndpoint);
  if (!cognito) {
    cognito = cognitoClient(CognitoEndpoint, Region);
    cognitoClients.set(CognitoEndpoint, cognito);
  }
  const username = uniqueName(role);
  const password = recordSecret('password', generatePassword());
  await createTenantUser(cognito, UserPoolId, { tenant, role, username, password });
  return { tenant, role, username, password };
}

export interface PopStatus {
  readonly PopId: string;
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly Status: 'Sent' | 'Delivered' | 'Opened' | 'Unchanged' | 'Failed' | 'Recalled';
  readonly Reason?: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
}

export interface PopBody {
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly ScriptData?: Record<string, string | number | boolean>;
}

/** One unique tenant on a stack, with its api-caller (the third-party system's view). */
export class TestTenant {
  private idToken?: string;

  private constructor(
    readonly stack: StackTarget,
    readonly tenant: string,
    readonly caller: TestUser,
  ) {}

  static async create(stack: StackTarget): Promise<TestTenant> {
    const tenant = uniqueTenant();
    return new TestTenant(stack, tenant, await createStackUser(stack, tenant, 'api'));
  }

  newInstanceUser(): Promise<TestUser> {
    return createStackUser(this.stack, this.tenant, 'instance');
  }

  /** The caller's IdToken from `GET /auth`, re-used until 3 s before it expires (tokens may be short-lived). */
  async token(): Promise<string> {
    if (this.idToken && tokenExpiry(this.idToken) * 1000 - Date.now() > 3000) return this.idToken;
    const answer = await restCall<{ IdToken: string }>(this.stack, 'GET', '/auth', {
      headers: { Authorization: basicAuthorization(this.caller) },
    });
    if (answer.status !== 200) throw new Error(`GET /auth answered ${answer.status} ${answer.body.Error?.Code ?? ''}`);
    this.idToken = answer.body.Result.IdToken;
    return this.idToken;
  }

  async pop(body: PopBody): Promise<RestAnswer<{ PopId: string; Status: 'Sent' }>> {
    return restCall(this.stack, 'POST', '/pop', { token: await this.token(), body });
  }

  async popStatus(popId: string): Promise<RestAnswer<PopStatus>> {
    return restCall(this.stack, 'GET', `/pops/${encodeURIComponent(popId)}`, { token: await this.token() });
  }

  /** Polls `GET /pops/{PopId}` until the instance's final acknowledgement (Opened, Unchanged or Failed) is in. */
  async settled(popId: string, timeoutMs = 20_000): Promise<PopStatus> {
    return eventually(
      `a final status of pop ${popId}`,
      async () => {
        const answer = await this.popStatus(popId);
        if (answer.status !== 200) throw new Error(`GET /pops/${popId} answered ${answer.status}`);
        const status = answer.body.Result;
        return status.Status === 'Sent' || status.Status === 'Delivered' ? undefined : status;
      },
      timeoutMs,
    );
  }

  /**
   * POST /pop until it is accepted (202), as a caller does while an instance is (re)connecting: only
   * 404 AgentNotOnDesktop is retried (the instance's Desktop list or Login may still be on its way), every 25 ms, for
   * at most timeoutMs. Any other answer is returned at once.
   */
  async popUntilAccepted(
    body: PopBody,
    timeoutMs = 15_000,
  ): Promise<{ answer: RestAnswer<{ PopId: string; Status: 'Sent' }>; attempts: number }> {
    const deadline = Date.now() + timeoutMs;
    for (let attempts = 1; ; attempts++) {
      const answer = await this.pop(body);
      if (answer.status !== 404 || answer.body.Error?.Code !== 'AgentNotOnDesktop' || Date.now() >= deadline) {
        return { answer, attempts };
      }
      await sleep(25);
    }
  }

  /** POST /pop (until accepted, see popUntilAccepted), then wait for the pop's final status as the caller sees it. */
  async popAndSettle(body: PopBody): Promise<PopStatus> {
    const { answer } = await this.popUntilAccepted(body);
    if (answer.status !== 202) {
      throw new Error(`POST /pop answered ${answer.status} ${answer.body.Error?.Code ?? ''}, expected 202`);
    }
    return this.settled(answer.body.Result.PopId);
  }
}

export const SALES = {
  name: 'Sales',
  type: 'external',
  active: true,
  allowRecordCreation: true,
  workflow: 'Sales Call',
  externalLinks: { 'Contact Name': { field: 'ContactName' }, var_ContactReason: { variable: 'ContactReason' } },
} as const;
export const SERVICE = {
  name: 'Service',
  type: 'external',
  active: true,
  allowRecordCreation: false,
  workflow: 'Service Call',
  externalLinks: { 'Case Number': { field: 'CaseNumber' } },
} as const;
export const SURVEY = { name: 'Survey', type: 'internal', active: true, workflow: 'Survey Call' } as const;
export const WINTER = { name: 'Winter Promo', type: 'external', active: false, workflow: 'Promo Call' } as const;
export const TEST_CAMPAIGNS = [SALES, SERVICE, SURVEY, WINTER];

/** An in-process reference instance and what the test needs to observe it. */
export interface TestInstance {
  readonly instance: RunningInstance;
  /** Every entry the instance logged (debug and up); also written to `$E2E_LOCAL_DIR/instances.log` for the secrets check. */
  readonly logger: Logger & { readonly entries: LogEntry[] };
  /** The gateway's connection id of every socket the instance opened, oldest first (from the e2e handshake header). */
  readonly connectionIds: string[];
  /** Every token request the instance made: `GET /auth` (Basic) or `POST /auth/refresh`, with the answer's status. */
  readonly tokenRequests: {
    readonly kind: 'basic' | 'refresh';
    /** When the instance sent the request (epoch ms). */
    readonly sentAt: number;
    readonly status: number;
    /** `exp` of the IdToken in the answer (the token itself is never kept). */
    readonly idTokenExp?: number;
  }[];
  /** A call to the instance's control surface (127.0.0.1). */
  control(method: 'GET' | 'POST', path: string): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * Holds every pop an instance receives until the test opens it: `startTestInstance(..., { openGate: gate.hold })`,
 * then `await gate.arrived(popId)` (the instance has it and acknowledged Delivered) and `gate.open(popId)`. A recall
 * in between meets a pop that is certainly still waiting, whatever the machine's load (no timer to race).
 */
export class PopGate {
  private readonly pops = new Map<string, { arrived: () => void; arrival: Promise<void>; open?: () => void }>();

  private entry(popId: string) {
    let entry = this.pops.get(popId);
    if (!entry) {
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => (arrived = resolve));
      entry = { arrived, arrival };
      this.pops.set(popId, entry);
    }
    return entry;
  }

  readonly hold = (pop: { PopId: string }): Promise<void> => {
    const entry = this.entry(pop.PopId);
    entry.arrived();
    return new Promise<void>((resolve) => (entry.open = resolve));
  };

  /** Resolves once the instance holds this pop (after its Delivered acknowledgement was sent). */
  arrived(popId: string): Promise<void> {
    return this.entry(popId).arrival;
  }

  /** Lets the pop open now (the Desktop decides Opened, Unchanged or Failed); it must have arrived. */
  open(popId: string): void {
    const open = this.pops.get(popId)?.open;
    if (!open) throw new Error(`pop ${popId} has not arrived at the gate`);
    open();
  }
}

const running = new Set<TestInstance>();

/** Stops every instance started by startTestInstance in this file (call in afterEach/afterAll). */
export async function stopTestInstances(): Promise<void> {
  await Promise.all([...running].map((desk) => desk.stop()));
}

/**
 * Starts the reference instance in-process with a config built in code: authUrl = RestApiUrl + '/auth',
 * webSocketUrl = WebSocketUrl, the test campaigns, a Per System licence and short reconnect back-off unless
 * overridden; the control surface on a free port. Resolves once connected (unless the plugin starts disabled).
 */
export async function startTestInstance(
  stack: StackTarget,
  user: TestUser,
  overrides: Record<string, unknown> = {},
  startOptions: Pick<StartOptions, 'openDelayMs' | 'openGate'> = {},
): Promise<TestInstance> {
  const config = validateConfig({
    authUrl: `${stack.endpoints.RestApiUrl}/auth`,
    webSocketUrl: stack.endpoints.WebSocketUrl,
    username: user.username,
    password: user.password,
    instanceName: uniqueName('desk'),
    plugin: { enabled: true },
    licence: { type: 'PerSystem' },
    campaigns: TEST_CAMPAIGNS,
    agents: [],
    reconnect: { minMs: 50, maxMs: 400 },
    logLevel: 'debug',
    // The catalogue and licences arrive a moment after the Desktop list, so a pop at once could meet either
    // the up-front checks or the Desktop's own. Tests of the Desktop's rules see every pop; test/e2e/instance/
    // campaignCatalogue.test.ts asks for publishCatalogue: true.
    publishCatalogue: false,
    ...overrides,
  });
  const logger = instanceLogger(config.instanceName);
  basicAuthorization(user); // the value the instance's AuthClient sends: on the secrets list too
  const connectionIds: string[] = [];
  const tokenRequests: TestInstance['tokenRequests'][number][] = [];

  const countingFetch: typeof fetch = async (input, init) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const sentAt = Date.now();
    const response = await fetch(input, init);
    const kind = url.endsWith('/auth/refresh') ? 'refresh' : 'basic';
    let idTokenExp: number | undefined;
    try {
      const body = (await response.clone().json()) as { Result?: { IdToken?: string; RefreshToken?: string } };
      recordTokens(body.Result);
      if (body.Result?.IdToken) idTokenExp = tokenExpiry(body.Result.IdToken);
    } catch {
      // not JSON: the AuthClient reports it
    }
    tokenRequests.push({ kind, sentAt, status: response.status, ...(idTokenExp !== undefined ? { idTokenExp } : {}) });
    return response;
  };
  const webSocketFactory = (url: string, options: { headers: Record<string, string> }): WebSocket => {
    const ws = defaultWebSocketFactory(url, options);
    ws.once('upgrade', (response) => {
      const header = response.headers['x-local-connection-id'];
      if (typeof header === 'string') connectionIds.push(decodeURIComponent(header));
    });
    return ws;
  };

  const instance = await startInstance(config, {
    logger,
    controlPort: 0,
    fetch: countingFetch,
    webSocketFactory,
    ...startOptions,
  });
  const desk: TestInstance = {
    instance,
    logger,
    connectionIds,
    tokenRequests,
    async control(method, path) {
      if (!instance.control) throw new Error('the control surface is not running');
      const headers = { 'X-Control-Token': instance.control.token };
      const response = await fetch(`http://127.0.0.1:${instance.control.port}${path}`, { method, headers });
      return { status: response.status, body: await response.json() };
    },
    async stop() {
      running.delete(desk);
      await instance.stop();
    },
  };
  running.add(desk);
  if (config.plugin.enabled) {
    await eventually('the instance to connect', () => instance.connector.isConnected, 30_000);
  }
  return desk;
}

/**
 * The instance's log: kept in memory for assertions and, in an e2e run, written as the CLI prints it (formatLine) to
 * `$E2E_LOCAL_DIR/instances.log`, so that globalTeardown's scan proves no password or token reached the instance's log.
 */
function instanceLogger(instanceName: string): Logger & { readonly entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const dir = process.env.E2E_LOCAL_DIR;
  const file = dir ? path.join(dir, 'instances.log') : undefined;
  const logger = createLogger((entry) => {
    entries.push(entry);
    if (file) appendFileSync(file, `${formatLine(entry, new Date())} instance=${instanceName}\n`);
  }, 'debug');
  return Object.assign(logger, { entries });
}

/** Test hook of a stack's gateway: drop a socket without a close frame and without `$disconnect` (a lost network). */
export async function dropStackConnection(stack: StackTarget, connectionId: string): Promise<boolean> {
  const response = await fetch(`${stack.testHooksUrl}/connections/${encodeURIComponent(connectionId)}/drop`, {
    method: 'POST',
  });
  return response.status === 200;
}

/** A handshake with this IdToken on that stack: 101 when accepted (then closed), else the refusal's HTTP status. */
export function stackHandshakeStatus(stack: StackTarget, idToken: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(stack.endpoints.WebSocketUrl, { headers: { Authorization: `Bearer ${idToken}` } });
    ws.once('unexpected-response', (_request, response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    ws.once('open', () => {
      ws.close(1000);
      resolve(101);
    });
    ws.once('error', (error) => reject(error));
  });
}
