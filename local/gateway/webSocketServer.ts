/**
 * The WebSocket API at `/<stage>` and, on the same port, the `@connections` management API (and, when enabled,
 * the local test hooks under `/__local/`).
 * Handshake: no Authorization -> 401 before the authorizer; authorizer (REQUEST) -> 401/403; `$connect` -> its status.
 * Messages: route by `Action`, one at a time per connection; two-way routes send the handler's body back.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'http';
import type { Duplex } from 'stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEBSOCKET_AUTHORIZER, WEBSOCKET_IDENTITY_SOURCE, WEBSOCKET_ROUTES } from '../../lambdas/apiRoutes';
import { evaluateAuthorizerResult } from './authorizerPolicy';
import { ConnectionRegistry, type AuthorizerContext, type LocalConnection } from './connections';
import { newConnectionId, newRequestId } from './ids';
import type { LambdaRuntime } from './lambdaRuntime';
import { errorSummary, type GatewayLog } from './log';
import { handleManagementRequest } from './managementApi';
import {
  authorizerEvent,
  connectEvent,
  disconnectEvent,
  messageEvent,
  methodArn,
  selectRoute,
  withAuthorizer,
  type WsApi,
} from './wsEvents';

/** AWS: 128 KB per message, 32 KB per frame; beyond either the connection is closed with 1009. */
export const WEBSOCKET_MESSAGE_LIMIT_BYTES = 128 * 1024;
export const WEBSOCKET_FRAME_LIMIT_BYTES = 32 * 1024;

export interface WebSocketApiOptions {
  readonly stage: string;
  readonly apiId: string;
  readonly region: string;
  readonly accountId: string;
  readonly runtime: LambdaRuntime;
  readonly log: GatewayLog;
  /**
   * Tests only: serve `GET /__local/connections` and `POST /__local/connections/<id>/drop`, and name the connection
   * id in the handshake answer (`x-local-connection-id`; API Gateway never tells a client its id).
   */
  readonly testHooks: boolean;
  readonly messageLimitBytes?: number;
  readonly frameLimitBytes?: number;
  /** Called after a message route's handler answered (the local stack waits for the demo instance's Desktop). */
  readonly onRouteHandled?: (routeKey: string, connectionId: string) => void;
}

export interface LocalWebSocketApi {
  readonly server: Server;
  readonly connections: ConnectionRegistry;
  /** Drop a socket without a close frame and without `$disconnect`, like a lost network. False if unknown. */
  dropConnection(connectionId: string): boolean;
  /** Close every socket (1001 Going away) without running `$disconnect`, then stop serving. */
  close(): Promise<void>;
  /** Test hook: make `@connections` POSTs wait this long before delivering (0: at once). */
  setManagementDelay(ms: number): void;
}

const ROUTES = new Map(WEBSOCKET_ROUTES.map((route) => [route.routeKey, route]));
const MESSAGE_ROUTE_KEYS = new Set(WEBSOCKET_ROUTES.map((r) => r.routeKey).filter((k) => !k.startsWith('$')));

function refuseHandshake(socket: Duplex, status: number, message: string): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ message });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n` +
      `Connection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `x-amzn-RequestId: ${newRequestId()}\r\n\r\n${body}`,
  );
}

function statusOf(result: unknown): number {
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const status = Number((result as { statusCode: unknown }).statusCode);
    return Number.isInteger(status) ? status : 502;
  }
  return 200;
}

/** ws enforces the message limit (maxPayload); the per-frame limit needs a look at each frame header. */
function limitFrameSize(ws: WebSocket, frameLimitBytes: number): void {
  const receiver = (ws as unknown as { _receiver?: Record<string, unknown> })._receiver;
  if (!receiver || typeof receiver.haveLength !== 'function' || typeof receiver.createError !== 'function') return;
  const haveLength = (receiver.haveLength as (cb: unknown) => void).bind(receiver);
  const createError = receiver.createError as (...args: unknown[]) => Error;
  receiver.haveLength = (cb: (error?: Error) => void) => {
    if ((receiver._payloadLength as number) > frameLimitBytes && (receiver._opcode as number) < 0x08) {
      cb(
        createError.call(receiver, RangeError, 'Frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'),
      );
      return;
    }
    haveLength(cb);
  };
}

const DISCONNECT_REASONS: Record<number, string> = {
  1005: 'Client-side close frame status not set',
  1006: 'Connection lost',
  1009: 'Message too big',
};

/** What every part of one WebSocket API shares. */
interface WsApiState {
  readonly options: WebSocketApiOptions;
  readonly connections: ConnectionRegistry;
  readonly wss: WebSocketServer;
  /** Connection id of each handshake in progress, for the test hooks' `x-local-connection-id` header. */
  readonly pendingIds: WeakMap<IncomingMessage, string>;
  readonly messageLimitBytes: number;
  readonly frameLimitBytes: number;
  managementDelayMs: number;
}

/** The API as the events describe it; `domainName` is the client's Host header. */
function apiOf(state: WsApiState, req: IncomingMessage): WsApi {
  const { options } = state;
  return {
    stage: options.stage,
    apiId: options.apiId,
    region: options.region,
    accountId: options.accountId,
    domainName: req.headers.host ?? '127.0.0.1',
  };
}

/** Close a socket from the server side, recording code and reason for its `$disconnect` event. */
function closeByServer(state: WsApiState, connectionId: string, code: number, reason: string): void {
  const connection = state.connections.get(connectionId);
  if (!connection) return;
  connection.serverClose = { code, reason };
  connection.socket.close(code, reason);
}

function dropConnection(state: WsApiState, connectionId: string): boolean {
  const connection = state.connections.get(connectionId);
  if (!connection) return false;
  connection.dropped = true;
  state.connections.remove(connectionId);
  connection.socket.terminate();
  return true;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** `POST /__local/connections/<id>/drop` and `GET /__local/connections`; false when the request is neither. */
function serveTestHook(state: WsApiState, req: IncomingMessage, res: ServerResponse): boolean {
  if (!state.options.testHooks) return false;
  const path = (req.url ?? '/').split('?')[0]!;
  const drop = /^\/__local\/connections\/([^/]+)\/drop$/.exec(path);
  if (req.method === 'POST' && drop) {
    req.resume();
    let id: string;
    try {
      id = decodeURIComponent(drop[1]!);
    } catch {
      sendJson(res, 400, { message: 'the connection id is not valid percent-encoding' });
      return true;
    }
    const dropped = dropConnection(state, id);
    state.options.log.info(`WS test hook: drop ${id} -> ${dropped ? 'dropped' : 'unknown'}`);
    sendJson(res, dropped ? 200 : 404, { ConnectionId: id, Dropped: dropped });
    return true;
  }
  if (req.method === 'GET' && path === '/__local/connections') {
    sendJson(res, 200, { Connections: state.connections.ids() });
    return true;
  }
  return false;
}

/** Plain HTTP on the WebSocket port: `@connections`, the test hooks, else 404. */
async function serveHttp(state: WsApiState, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const managed = await handleManagementRequest(req, res, {
    stage: state.options.stage,
    connections: state.connections,
    messageLimitBytes: state.messageLimitBytes,
    close: (id) => closeByServer(state, id, 1000, 'Connection closed by the management API'),
    postDelayMs: () => state.managementDelayMs,
  });
  if (managed || serveTestHook(state, req, res)) return;
  req.resume();
  sendJson(res, 404, { message: 'Not Found' });
}

/** One handshake in progress. */
interface Handshake {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
  readonly started: number;
  readonly connectionId: string;
  /** The `$connect` event, without the authorizer's context. */
  readonly base: ReturnType<typeof connectEvent>;
}

function refuse(
  state: WsApiState,
  handshake: Handshake | { socket: Duplex; started: number },
  status: number,
  message: string,
  why: string,
): void {
  state.options.log.info(`WS CONNECT -> ${status} ${Date.now() - handshake.started}ms (${why})`);
  refuseHandshake(handshake.socket, status, message);
}

/** Runs the REQUEST authorizer; the context `$connect` and later events carry, or undefined once refused. */
async function authorize(state: WsApiState, handshake: Handshake): Promise<AuthorizerContext | undefined> {
  const { log, runtime } = state.options;
  const api = apiOf(state, handshake.req);
  let authorizerResult: unknown;
  try {
    authorizerResult = await runtime.invoke(WEBSOCKET_AUTHORIZER, authorizerEvent(api, handshake.base));
  } catch (error) {
    if (error instanceof Error && error.message === 'Unauthorized')
      return void refuse(state, handshake, 401, 'Unauthorized', 'authorizer');
    log.error(`WS authorizer failed: ${errorSummary(error)}`);
    return void refuse(state, handshake, 500, 'Internal server error', 'authorizer error');
  }
  const outcome = evaluateAuthorizerResult(authorizerResult, methodArn(api));
  if (!outcome.allowed) {
    if (outcome.status === 500) log.error(`WS authorizer returned an invalid result: ${outcome.why}`);
    return void refuse(
      state,
      handshake,
      outcome.status,
      outcome.status === 403 ? 'Forbidden' : 'Internal server error',
      outcome.why,
    );
  }
  return { ...outcome.context, principalId: outcome.principalId, integrationLatency: Date.now() - handshake.started };
}

/** Runs the `$connect` route, if any; false once refused (an error or a non-2xx status). */
async function runConnectRoute(
  state: WsApiState,
  handshake: Handshake,
  authorizer: AuthorizerContext,
): Promise<boolean> {
  const connectRoute = ROUTES.get('$connect');
  if (!connectRoute) return true;
  let status: number;
  try {
    status = statusOf(
      await state.options.runtime.invoke(connectRoute.handler, withAuthorizer(handshake.base, authorizer)),
    );
  } catch (error) {
    state.options.log.error(`WS $connect handler failed: ${errorSummary(error)}`);
    refuse(state, handshake, 500, 'Internal server error', '$connect error');
    return false;
  }
  if (status >= 200 && status <= 299) return true;
  refuse(state, handshake, status, STATUS_CODES[status] ?? 'Error', '$connect refused');
  return false;
}

/** Completes the handshake (101) and registers the connection. */
function accept(state: WsApiState, handshake: Handshake, authorizer: AuthorizerContext): void {
  const { req, socket, head, connectionId, base, started } = handshake;
  if (socket.destroyed) {
    state.options.log.info(`WS CONNECT ${connectionId}: client left during the handshake`);
    return;
  }
  state.pendingIds.set(req, connectionId);
  state.wss.handleUpgrade(req, socket, head, (ws) => {
    const connection: LocalConnection = {
      id: connectionId,
      socket: ws,
      connectedAt: base.requestContext.connectedAt,
      lastActiveAt: Date.now(),
      sourceIp: base.requestContext.identity.sourceIp,
      userAgent: base.requestContext.identity.userAgent,
      authorizer,
      queue: Promise.resolve(),
      dropped: false,
    };
    attach(state, connection, req);
    state.options.log.info(`WS CONNECT ${connectionId} -> 101 ${Date.now() - started}ms`);
  });
}

/** Handshake: path, identity source, authorizer, `$connect`, then 101. */
async function upgrade(state: WsApiState, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const started = Date.now();
  const stage = state.options.stage;
  const path = (req.url ?? '/').split('?')[0]!;
  if (path !== `/${stage}` && path !== `/${stage}/`)
    return refuse(state, { socket, started }, 403, 'Forbidden', 'unknown path');
  if (!req.headers[WEBSOCKET_IDENTITY_SOURCE.toLowerCase()]) {
    return refuse(state, { socket, started }, 401, 'Unauthorized', `no ${WEBSOCKET_IDENTITY_SOURCE} header`);
  }
  const connectionId = newConnectionId();
  const port = (req.socket.localPort as number | undefined) ?? 0;
  const handshake: Handshake = {
    req,
    socket,
    head,
    started,
    connectionId,
    base: connectEvent(apiOf(state, req), req, connectionId, port),
  };
  const authorizer = await authorize(state, handshake);
  if (!authorizer || !(await runConnectRoute(state, handshake, authorizer))) return;
  accept(state, handshake, authorizer);
}

/** Messages of an open connection run one at a time, in order; a close runs `$disconnect` after them. */
function attach(state: WsApiState, connection: LocalConnection, req: IncomingMessage): void {
  const { log } = state.options;
  const ws = connection.socket;
  limitFrameSize(ws, state.frameLimitBytes);
  state.connections.add(connection);
  const enqueue = (job: () => Promise<void>) => {
    connection.queue = connection.queue.then(job).catch((error) => {
      log.error(`WS ${connection.id} job failed: ${errorSummary(error)}`);
    });
  };
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    connection.lastActiveAt = Date.now();
    enqueue(() =>
      onMessage(state, connection, req, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary),
    );
  });
  ws.on('error', (error) => log.info(`WS ${connection.id} socket error: ${errorSummary(error)}`));
  ws.on('close', (code: number, reasonBuffer: Buffer) => {
    state.connections.remove(connection.id);
    if (connection.dropped) return;
    const close = connection.serverClose ?? {
      code,
      reason: reasonBuffer.toString('utf8') || DISCONNECT_REASONS[code] || '',
    };
    enqueue(() => onDisconnect(state, connection, req, close));
  });
}

async function onDisconnect(
  state: WsApiState,
  connection: LocalConnection,
  req: IncomingMessage,
  close: { readonly code: number; readonly reason: string },
): Promise<void> {
  const route = ROUTES.get('$disconnect');
  if (!route) return;
  const started = Date.now();
  try {
    await state.options.runtime.invoke(
      route.handler,
      disconnectEvent(apiOf(state, req), connection, close.code, close.reason),
    );
    state.options.log.info(`WS DISCONNECT ${connection.id} (${close.code}) ${Date.now() - started}ms`);
  } catch (error) {
    state.options.log.error(`WS $disconnect handler failed: ${errorSummary(error)}`);
  }
}

/** Routes a message on `Action` (else `$default`); a two-way route sends the handler's body back. */
async function onMessage(
  state: WsApiState,
  connection: LocalConnection,
  req: IncomingMessage,
  data: Buffer,
  isBinary: boolean,
) {
  const { log, runtime } = state.options;
  const started = Date.now();
  const routeKey = selectRoute(data, isBinary, MESSAGE_ROUTE_KEYS);
  const route = ROUTES.get(routeKey);
  const ws = connection.socket;
  const event = messageEvent(apiOf(state, req), connection, routeKey, data, isBinary);
  const requestId = event.requestContext.requestId;
  const sendIfOpen = (text: string) => (ws.readyState === ws.OPEN ? ws.send(text) : undefined);
  if (!route) return sendIfOpen(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId }));
  let result: unknown;
  try {
    result = await runtime.invoke(route.handler, event);
  } catch (error) {
    log.error(`WS ${routeKey} handler failed: ${errorSummary(error)} (requestId ${requestId})`);
    // What API Gateway sends the client when the integration fails.
    return sendIfOpen(JSON.stringify({ message: 'Internal server error', connectionId: connection.id, requestId }));
  }
  const body = typeof result === 'object' && result !== null ? (result as { body?: unknown }).body : undefined;
  if (route.returnResponse && typeof body === 'string' && body !== '') sendIfOpen(body);
  log.info(`WS MESSAGE ${routeKey} ${connection.id} -> ${statusOf(result)} ${Date.now() - started}ms`);
  state.options.onRouteHandled?.(routeKey, connection.id);
}

/** How long a stop waits for the messages already received to be handled: the integration timeout. */
const DRAIN_LIMIT_MS = 29_000;

/** Until every message each connection received has been handled (its queue, which grows while it drains). */
async function drained(open: readonly LocalConnection[]): Promise<void> {
  for (const connection of open) {
    let queue: Promise<void>;
    do {
      queue = connection.queue;
      await queue;
    } while (queue !== connection.queue);
  }
}

/**
 * Every socket gets 1001 (no `$disconnect`: the stack is going away); what the connections sent before is handled
 * (an instance's Acks of pops it opened are not dropped), then the server stops.
 */
async function closeAll(state: WsApiState, server: Server): Promise<void> {
  const { connections, wss } = state;
  const open = connections.all();
  for (const connection of open) {
    connection.dropped = true; // the stack is going away: no `$disconnect` against stopping emulators
    connection.socket.close(1001, 'Going away');
  }
  await new Promise((resolve) => setTimeout(resolve, open.length > 0 ? 200 : 0));
  for (const connection of connections.all()) connection.socket.terminate();
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, DRAIN_LIMIT_MS)));
  await Promise.race([drained(open), limit]);
  clearTimeout(timer);
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export function createWebSocketApi(options: WebSocketApiOptions): LocalWebSocketApi {
  const messageLimitBytes = options.messageLimitBytes ?? WEBSOCKET_MESSAGE_LIMIT_BYTES;
  const state: WsApiState = {
    options,
    connections: new ConnectionRegistry(),
    wss: new WebSocketServer({ noServer: true, maxPayload: messageLimitBytes, perMessageDeflate: false }),
    pendingIds: new WeakMap(),
    messageLimitBytes,
    frameLimitBytes: options.frameLimitBytes ?? WEBSOCKET_FRAME_LIMIT_BYTES,
    managementDelayMs: 0,
  };
  if (options.testHooks) {
    state.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const id = state.pendingIds.get(req);
      if (id) headers.push(`x-local-connection-id: ${encodeURIComponent(id)}`);
    });
  }
  const server = createServer((req, res) => {
    serveHttp(state, req, res).catch((error) => {
      options.log.error(`WS HTTP failure: ${errorSummary(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgrade(state, req, socket, head).catch((error) => {
      options.log.error(`WS handshake failure: ${errorSummary(error)}`);
      refuseHandshake(socket, 500, 'Internal server error');
    });
  });
  return {
    server,
    connections: state.connections,
    dropConnection: (connectionId) => dropConnection(state, connectionId),
    close: () => closeAll(state, server),
    setManagementDelay: (ms) => {
      state.managementDelayMs = Math.max(0, ms);
    },
  };
}
