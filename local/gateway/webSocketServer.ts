/**
 * The WebSocket API at `/<stage>` and, on the same port, the `@connections` management API (and, when enabled,
 * the local test hooks under `/__local/`).
 * Handshake: no Authorization -> 401 before the authorizer; authorizer (REQUEST) -> 401/403; `$connect` -> its status.
 * Messages: route by `Action`, one at a time per connection; two-way routes send the handler's body back.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type Server } from 'http';
import type { Duplex } from 'stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { WEBSOCKET_AUTHORIZER, WEBSOCKET_IDENTITY_SOURCE, WEBSOCKET_ROUTES } from '../../lambdas/apiRoutes';
import { evaluateAuthorizerResult } from './authorizerPolicy';
import { ConnectionRegistry, type AuthorizerContext, type LocalConnection } from './connections';
import { newConnectionId, newRequestId } from './ids';
import type { LambdaRuntime } from './lambdaRuntime';
import { describeError, type GatewayLog } from './log';
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
      cb(createError.call(receiver, RangeError, 'Frame size exceeded', false, 1009, 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH'));
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

export function createWebSocketApi(options: WebSocketApiOptions): LocalWebSocketApi {
  const connections = new ConnectionRegistry();
  const messageLimitBytes = options.messageLimitBytes ?? WEBSOCKET_MESSAGE_LIMIT_BYTES;
  const frameLimitBytes = options.frameLimitBytes ?? WEBSOCKET_FRAME_LIMIT_BYTES;
  const wss = new WebSocketServer({ noServer: true, maxPayload: messageLimitBytes, perMessageDeflate: false });
  const { log, runtime } = options;
  const pendingIds = new WeakMap<IncomingMessage, string>();
  let managementDelayMs = 0;
  if (options.testHooks) {
    wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const id = pendingIds.get(req);
      if (id) headers.push(`x-local-connection-id: ${encodeURIComponent(id)}`);
    });
  }

  const api = (req: IncomingMessage): WsApi => ({
    stage: options.stage,
    apiId: options.apiId,
    region: options.region,
    accountId: options.accountId,
    domainName: req.headers.host ?? '127.0.0.1',
  });

  const closeByServer = (connectionId: string, code: number, reason: string) => {
    const connection = connections.get(connectionId);
    if (!connection) return;
    connection.serverClose = { code, reason };
    connection.socket.close(code, reason);
  };

  const dropConnection = (connectionId: string): boolean => {
    const connection = connections.get(connectionId);
    if (!connection) return false;
    connection.dropped = true;
    connections.remove(connectionId);
    connection.socket.terminate();
    return true;
  };

  const server = createServer((req, res) => {
    const handled = async () => {
      const managed = await handleManagementRequest(req, res, {
        stage: options.stage,
        connections,
        messageLimitBytes,
        close: (id) => closeByServer(id, 1000, 'Connection closed by the management API'),
        postDelayMs: () => managementDelayMs,
      });
      if (managed) return;
      const path = (req.url ?? '/').split('?')[0]!;
      const drop = /^\/__local\/connections\/([^/]+)\/drop$/.exec(path);
      if (options.testHooks && req.method === 'POST' && drop) {
        req.resume();
        const id = decodeURIComponent(drop[1]!);
        const dropped = dropConnection(id);
        log.info(`WS test hook: drop ${id} -> ${dropped ? 'dropped' : 'unknown'}`);
        res.writeHead(dropped ? 200 : 404, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ ConnectionId: id, Dropped: dropped }));
        return;
      }
      if (options.testHooks && req.method === 'GET' && path === '/__local/connections') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ Connections: connections.ids() }));
        return;
      }
      req.resume();
      res.writeHead(404, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: 'Not Found' }));
    };
    handled().catch((error) => {
      log.error(`WS HTTP failure: ${describeError(error)}`);
      if (!res.headersSent) res.writeHead(500).end();
    });
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    upgrade(req, socket, head).catch((error) => {
      log.error(`WS handshake failure: ${describeError(error)}`);
      refuseHandshake(socket, 500, 'Internal server error');
    });
  });

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const started = Date.now();
    const refuse = (status: number, message: string, why: string) => {
      log.info(`WS CONNECT -> ${status} ${Date.now() - started}ms (${why})`);
      refuseHandshake(socket, status, message);
    };
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== `/${options.stage}` && path !== `/${options.stage}/`) return refuse(403, 'Forbidden', 'unknown path');
    if (!req.headers[WEBSOCKET_IDENTITY_SOURCE.toLowerCase()]) {
      return refuse(401, 'Unauthorized', `no ${WEBSOCKET_IDENTITY_SOURCE} header`);
    }

    const connectionId = newConnectionId();
    const port = (req.socket.localPort as number | undefined) ?? 0;
    const base = connectEvent(api(req), req, connectionId, port);

    let authorizerResult: unknown;
    try {
      authorizerResult = await runtime.invoke(WEBSOCKET_AUTHORIZER, authorizerEvent(api(req), base));
    } catch (error) {
      if (error instanceof Error && error.message === 'Unauthorized') return refuse(401, 'Unauthorized', 'authorizer');
      log.error(`WS authorizer failed: ${describeError(error)}`);
      return refuse(500, 'Internal server error', 'authorizer error');
    }
    const outcome = evaluateAuthorizerResult(authorizerResult, methodArn(api(req)));
    if (!outcome.allowed) {
      if (outcome.status === 500) log.error(`WS authorizer returned an invalid result: ${outcome.why}`);
      return refuse(outcome.status, outcome.status === 403 ? 'Forbidden' : 'Internal server error', outcome.why);
    }
    const authorizer: AuthorizerContext = {
      ...outcome.context,
      principalId: outcome.principalId,
      integrationLatency: Date.now() - started,
    };

    const connectRoute = ROUTES.get('$connect');
    if (connectRoute) {
      let status: number;
      try {
        status = statusOf(await runtime.invoke(connectRoute.handler, withAuthorizer(base, authorizer)));
      } catch (error) {
        log.error(`WS $connect handler failed: ${describeError(error)}`);
        return refuse(500, 'Internal server error', '$connect error');
      }
      if (status < 200 || status > 299) return refuse(status, STATUS_CODES[status] ?? 'Error', '$connect refused');
    }
    if (socket.destroyed) {
      log.info(`WS CONNECT ${connectionId}: client left during the handshake`);
      return;
    }
    pendingIds.set(req, connectionId);
    wss.handleUpgrade(req, socket, head, (ws) => {
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
      attach(connection, req);
      log.info(`WS CONNECT ${connectionId} -> 101 ${Date.now() - started}ms`);
    });
  }

  function attach(connection: LocalConnection, req: IncomingMessage): void {
    const ws = connection.socket;
    limitFrameSize(ws, frameLimitBytes);
    connections.add(connection);
    const enqueue = (job: () => Promise<void>) => {
      connection.queue = connection.queue.then(job).catch((error) => {
        log.error(`WS ${connection.id} job failed: ${describeError(error)}`);
      });
    };

    ws.on('message', (data: Buffer, isBinary: boolean) => {
      connection.lastActiveAt = Date.now();
      enqueue(() => onMessage(connection, req, Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer), isBinary));
    });
    ws.on('error', (error) => log.info(`WS ${connection.id} socket error: ${describeError(error)}`));
    ws.on('close', (code: number, reasonBuffer: Buffer) => {
      connections.remove(connection.id);
      if (connection.dropped) return;
      const close = connection.serverClose ?? {
        code,
        reason: reasonBuffer.toString('utf8') || DISCONNECT_REASONS[code] || '',
      };
      const route = ROUTES.get('$disconnect');
      if (!route) return;
      enqueue(async () => {
        const started = Date.now();
        try {
          await runtime.invoke(route.handler, disconnectEvent(api(req), connection, close.code, close.reason));
          log.info(`WS DISCONNECT ${connection.id} (${close.code}) ${Date.now() - started}ms`);
        } catch (error) {
          log.error(`WS $disconnect handler failed: ${describeError(error)}`);
        }
      });
    });
  }

  async function onMessage(connection: LocalConnection, req: IncomingMessage, data: Buffer, isBinary: boolean) {
    const started = Date.now();
    const routeKey = selectRoute(data, isBinary, MESSAGE_ROUTE_KEYS);
    const route = ROUTES.get(routeKey);
    const ws = connection.socket;
    const event = messageEvent(api(req), connection, routeKey, data, isBinary);
    const requestId = event.requestContext.requestId;
    if (!route) {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ message: 'Forbidden', connectionId: connection.id, requestId }));
      return;
    }
    let result: unknown;
    try {
      result = await runtime.invoke(route.handler, event);
    } catch (error) {
      log.error(`WS ${routeKey} handler failed: ${describeError(error)} (requestId ${requestId})`);
      // What API Gateway sends the client when the integration fails.
      if (ws.readyState === ws.OPEN) {
        ws.send(JSON.stringify({ message: 'Internal server error', connectionId: connection.id, requestId }));
      }
      return;
    }
    const body = typeof result === 'object' && result !== null ? (result as { body?: unknown }).body : undefined;
    if (route.returnResponse && typeof body === 'string' && body !== '' && ws.readyState === ws.OPEN) ws.send(body);
    log.info(`WS MESSAGE ${routeKey} ${connection.id} -> ${statusOf(result)} ${Date.now() - started}ms`);
    options.onRouteHandled?.(routeKey, connection.id);
  }

  async function close(): Promise<void> {
    for (const connection of connections.all()) {
      connection.dropped = true; // the stack is going away: no `$disconnect` against stopping emulators
      connection.socket.close(1001, 'Going away');
    }
    await new Promise((resolve) => setTimeout(resolve, connections.all().length > 0 ? 200 : 0));
    for (const connection of connections.all()) connection.socket.terminate();
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  const setManagementDelay = (ms: number) => {
    managementDelayMs = Math.max(0, ms);
  };
  return { server, connections, dropConnection, close, setManagementDelay };
}
