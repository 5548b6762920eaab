/**
 * The local API Gateway: the REST API on one port, the WebSocket API and its `@connections` endpoint on another,
 * both at `/<stage>`, running the same handlers as in AWS, built from their factories with this gateway's
 * configuration (`lambdaHandlers`), or fixtures (`handlerMap`).
 */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { API_GATEWAY_PAYLOAD_LIMIT_BYTES } from './body';
import { ExecutionEnvironments, type EnvironmentSettings } from './environments';
import {
  InProcessRuntime,
  LOCAL_ACCOUNT_ID,
  type FunctionRuntimeMode,
  type HandlerSource,
  type LambdaRuntime,
} from './lambdaRuntime';

export { handlerMap, lambdaHandlers, type HandlerSource, type LambdaHandlersConfig } from './lambdaRuntime';
export type { EnvironmentSettings } from './environments';
export type { FunctionRuntimeMode } from './lambdaRuntime';
import type { HandlerName } from '../../lambdas/handlerNeeds';
import { consoleLog, type GatewayLog } from './log';
import { createRestServer } from './restServer';
import type { ThrottleSettings } from './throttle';
import { UsagePlans } from './usagePlans';
import { CognitoAuthorizer } from './cognitoAuthorizer';
import { createWebSocketApi } from './webSocketServer';

export interface GatewayOptions {
  /** 0 picks a free port. */
  readonly restPort: number;
  readonly wsPort: number;
  /** @default 'v1' */
  readonly stage?: string;
  readonly region: string;
  readonly userPoolId: string;
  readonly userPoolClientId: string;
  readonly cognitoEndpoint: string;
  /**
   * The handlers: `lambdaHandlers({ settings, credentials })` for the real ones (their `@connections` endpoint is
   * this gateway's, known once it listens), `handlerMap({...})` for fixtures.
   */
  readonly handlers: HandlerSource;
  /** @default 10 MB, API Gateway's payload limit */
  readonly bodyLimitBytes?: number;
  /** Stage throttle, per method as API Gateway applies it; off by default. */
  readonly throttle?: ThrottleSettings;
  /** Per-method overrides by `<METHOD> <resource>`, e.g. the /auth routes' lower limit (lib/restApi.ts). */
  readonly methodThrottles?: Readonly<Record<string, ThrottleSettings>>;
  /**
   * The default usage plan's throttle, per tenant (lib/restApi.ts): with it the routes that take a token require the
   * tenant's API key on a usage plan, as the stack's `apiKeyRequired`; without it no key is looked at. Off by default.
   */
  readonly tenantThrottle?: ThrottleSettings;
  /**
   * `cognito`: the REST routes get API Gateway's Cognito authorizer in the gateway and no usage plan, as before limits
   * per tenant: only the bench's baseline (bench/edgeCost.ts). @default 'lambda'
   */
  readonly restAuthorizer?: 'lambda' | 'cognito';
  /** Serve the `/__local/` test hooks on the WebSocket port. @default false */
  readonly testHooks?: boolean;
  readonly handlerTimeoutMs?: number;
  /**
   * `environments`: each function in Lambda-like execution environments (worker threads, environments.ts; needs
   * handlers that can run there, as `lambdaHandlers` gives); `inProcess`: every handler in this event loop.
   * @default 'inProcess'
   */
  readonly runtime?: FunctionRuntimeMode;
  /** Timeouts, concurrency limits, idle period of the environments (runtime `environments`). */
  readonly environments?: EnvironmentSettings;
  readonly log?: GatewayLog;
}

const noop = () => undefined;

export interface LocalGateway {
  readonly restApiUrl: string;
  readonly webSocketUrl: string;
  /** What CONNECTIONS_ENDPOINT is set to (the management API client's endpoint). */
  readonly connectionsEndpoint: string;
  readonly restPort: number;
  readonly wsPort: number;
  /** The REST API's id (its method ARNs, its tenants' key values: lambdas/auth/tenantUsageKey.ts). */
  readonly restApiId: string;
  /** The default usage plan's id, when `tenantThrottle` is set. */
  readonly defaultUsagePlanId?: string;
  /** API Gateway's control plane for usage plans and API keys (the provisioning CLI's client endpoint). */
  readonly apiGatewayEndpoint: string;
  /** What endpoints.json adds for them: RestApiId, ApiGatewayEndpoint, DefaultUsagePlanId. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Resolves when a handler has answered a message on `routeKey` (from now on); false after timeoutMs. */
  waitForRoute(routeKey: string, timeoutMs: number): Promise<boolean>;
  /** Test hook: drop a socket without close frame and without `$disconnect`. */
  dropConnection(connectionId: string): boolean;
  connectionIds(): string[];
  /** Test hook: make `@connections` POSTs wait this long before delivering (a slow management endpoint). */
  setManagementDelay(ms: number): void;
  /** Invoke a function that no route serves (the table stream's, local/streams/), in the same runtime. */
  invoke(name: HandlerName, event: unknown): Promise<unknown>;
  stop(): Promise<void>;
}

async function listen(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** Resolves true once a handler has answered a message on `routeKey`, false after `timeoutMs`. */
function waitForRoute(waiters: Set<(routeKey: string) => void>, routeKey: string, timeoutMs: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    const waiter = (handled: string) => (handled === routeKey ? done(true) : noop());
    const done = (result: boolean) => {
      clearTimeout(timer);
      waiters.delete(waiter);
      resolve(result);
    };
    waiters.add(waiter);
  });
}

const REST_API_ID = 'localrest';
export const LOCAL_DEFAULT_USAGE_PLAN_ID = 'localplan';

/** The stage's usage plans: the default one (`tenantThrottle`) under a fixed id. */
function usagePlansFor(options: GatewayOptions, stage: string): UsagePlans {
  const plans = new UsagePlans(REST_API_ID, stage);
  if (options.tenantThrottle) plans.addPlan(LOCAL_DEFAULT_USAGE_PLAN_ID, 'default', options.tenantThrottle);
  return plans;
}

const cognitoBaselineOf = (options: GatewayOptions): CognitoAuthorizer =>
  new CognitoAuthorizer({
    region: options.region,
    userPoolId: options.userPoolId,
    clientId: options.userPoolClientId,
    cognitoEndpoint: options.cognitoEndpoint,
  });

/** The REST API with its Lambda authorizer and usage plans. */
function restServerFor(
  options: GatewayOptions,
  stage: string,
  runtime: LambdaRuntime,
  log: GatewayLog,
  usagePlans: UsagePlans,
): Server {
  return createRestServer({
    stage,
    apiId: REST_API_ID,
    runtime,
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
    usagePlans,
    apiKeyRequired: options.tenantThrottle !== undefined,
    ...(options.restAuthorizer === 'cognito' ? { cognitoBaseline: cognitoBaselineOf(options) } : {}),
    log,
    bodyLimitBytes: options.bodyLimitBytes ?? API_GATEWAY_PAYLOAD_LIMIT_BYTES,
    ...(options.throttle ? { throttle: options.throttle } : {}),
    ...(options.methodThrottles ? { methodThrottles: options.methodThrottles } : {}),
  });
}

/** The functions in this event loop, or each in its execution environments. */
function runtimeFor(options: GatewayOptions, connectionsEndpoint: () => string): LambdaRuntime {
  if (options.runtime !== 'environments') {
    return new InProcessRuntime({
      region: options.region,
      handlers: options.handlers,
      connectionsEndpoint,
      ...(options.handlerTimeoutMs ? { timeoutMs: options.handlerTimeoutMs } : {}),
    });
  }
  const code = options.handlers.environmentCode;
  if (!code) throw new Error("runtime 'environments' needs handlers that can run in a worker (lambdaHandlers)");
  return new ExecutionEnvironments({
    ...options.environments,
    code,
    connectionsEndpoint,
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
  });
}

export async function startGateway(options: GatewayOptions): Promise<LocalGateway> {
  const stage = options.stage ?? 'v1';
  const log = options.log ?? consoleLog;
  let connectionsEndpoint = '';
  const runtime = runtimeFor(options, () => connectionsEndpoint);
  const usagePlans = usagePlansFor(options, stage);
  const rest = restServerFor(options, stage, runtime, log, usagePlans);
  const routeWaiters = new Set<(routeKey: string) => void>();
  const ws = createWebSocketApi({
    onRouteHandled: (routeKey) => routeWaiters.forEach((waiter) => waiter(routeKey)),
    stage,
    apiId: 'localws',
    region: options.region,
    accountId: LOCAL_ACCOUNT_ID,
    runtime,
    log,
    testHooks: options.testHooks ?? false,
  });

  const wsPort = await listen(ws.server, options.wsPort);
  let restPort: number;
  try {
    restPort = await listen(rest, options.restPort);
  } catch (error) {
    await ws.close();
    throw error;
  }
  connectionsEndpoint = `http://127.0.0.1:${wsPort}/${stage}`;

  let stopped: Promise<void> | undefined;
  return {
    restApiUrl: `http://127.0.0.1:${restPort}/${stage}`,
    webSocketUrl: `ws://127.0.0.1:${wsPort}/${stage}`,
    connectionsEndpoint,
    restPort,
    wsPort,
    restApiId: REST_API_ID,
    ...(options.tenantThrottle ? { defaultUsagePlanId: LOCAL_DEFAULT_USAGE_PLAN_ID } : {}),
    apiGatewayEndpoint: `http://127.0.0.1:${restPort}`,
    outputs: {
      RestApiId: REST_API_ID,
      ApiGatewayEndpoint: `http://127.0.0.1:${restPort}`,
      ...(options.tenantThrottle ? { DefaultUsagePlanId: LOCAL_DEFAULT_USAGE_PLAN_ID } : {}),
    },
    waitForRoute: (routeKey, timeoutMs) => waitForRoute(routeWaiters, routeKey, timeoutMs),
    dropConnection: ws.dropConnection,
    connectionIds: () => ws.connections.ids(),
    setManagementDelay: ws.setManagementDelay,
    invoke: (name, event) => runtime.invoke(name, event),
    stop: () =>
      (stopped ??= Promise.all([
        ws.close(),
        new Promise<void>((resolve) => {
          rest.close(() => resolve());
          rest.closeAllConnections();
        }),
      ]).then(() => runtime.close())),
  };
}
