/**
 * The local API Gateway: the REST API on one port, the WebSocket API and its `@connections` endpoint on another,
 * both at `/<stage>`, running the same handler modules as in AWS.
 */
import type { Server } from 'http';
import type { AddressInfo } from 'net';
import { ENV } from '../../lambdas/shared/settings';
import { API_GATEWAY_PAYLOAD_LIMIT_BYTES } from './body';
import { CognitoAuthorizer } from './cognitoAuthorizer';
import { LambdaRuntime, LOCAL_ACCOUNT_ID } from './lambdaRuntime';
import { consoleLog, type GatewayLog } from './log';
import { createRestServer } from './restServer';
import type { ThrottleSettings } from './throttle';
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
   * Environment for the handlers, set on process.env before any handler is imported. CONNECTIONS_ENDPOINT is added
   * by the gateway once its WebSocket port is known.
   */
  readonly handlerEnvironment: Record<string, string>;
  /** Handler modules folder (tests use fixtures); default `lambdas/handlers`. */
  readonly handlersDir?: string;
  /** @default 10 MB, API Gateway's payload limit */
  readonly bodyLimitBytes?: number;
  /** Stage throttle; off by default. */
  readonly throttle?: ThrottleSettings;
  /** Serve the `/__local/` test hooks on the WebSocket port. @default false */
  readonly testHooks?: boolean;
  readonly handlerTimeoutMs?: number;
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
  /** Resolves when a handler has answered a message on `routeKey` (from now on); false after timeoutMs. */
  waitForRoute(routeKey: string, timeoutMs: number): Promise<boolean>;
  /** Test hook: drop a socket without close frame and without `$disconnect`. */
  dropConnection(connectionId: string): boolean;
  connectionIds(): string[];
  /** Test hook: make `@connections` POSTs wait this long before delivering (a slow management endpoint). */
  setManagementDelay(ms: number): void;
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

export async function startGateway(options: GatewayOptions): Promise<LocalGateway> {
  const stage = options.stage ?? 'v1';
  const log = options.log ?? consoleLog;
  const runtime = new LambdaRuntime({
    region: options.region,
    ...(options.handlersDir ? { handlersDir: options.handlersDir } : {}),
    ...(options.handlerTimeoutMs ? { timeoutMs: options.handlerTimeoutMs } : {}),
  });
  const authorizer = new CognitoAuthorizer({
    region: options.region,
    userPoolId: options.userPoolId,
    clientId: options.userPoolClientId,
    cognitoEndpoint: options.cognitoEndpoint,
  });
  const rest = createRestServer({
    stage,
    apiId: 'localrest',
    runtime,
    authorizer,
    log,
    bodyLimitBytes: options.bodyLimitBytes ?? API_GATEWAY_PAYLOAD_LIMIT_BYTES,
    ...(options.throttle ? { throttle: options.throttle } : {}),
  });
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
  const connectionsEndpoint = `http://127.0.0.1:${wsPort}/${stage}`;
  // Before the first request, so before any handler module is imported (they read it at cold start).
  Object.assign(process.env, options.handlerEnvironment, { [ENV.connectionsEndpoint]: connectionsEndpoint });

  let stopped: Promise<void> | undefined;
  return {
    restApiUrl: `http://127.0.0.1:${restPort}/${stage}`,
    webSocketUrl: `ws://127.0.0.1:${wsPort}/${stage}`,
    connectionsEndpoint,
    restPort,
    wsPort,
    waitForRoute: (routeKey, timeoutMs) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => done(false), timeoutMs);
        const waiter = (handled: string) => (handled === routeKey ? done(true) : noop());
        const done = (result: boolean) => {
          clearTimeout(timer);
          routeWaiters.delete(waiter);
          resolve(result);
        };
        routeWaiters.add(waiter);
      }),
    dropConnection: ws.dropConnection,
    connectionIds: () => ws.connections.ids(),
    setManagementDelay: ws.setManagementDelay,
    stop: () =>
      (stopped ??= Promise.all([
        ws.close(),
        new Promise<void>((resolve) => {
          rest.close(() => resolve());
          rest.closeAllConnections();
        }),
      ]).then(() => undefined)),
  };
}
