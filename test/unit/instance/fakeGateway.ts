/**
 * A small stand-in for our own gateway's protocol (contract/operations.ts, contract/webSocket.ts), for the connector's
 * tests: `GET /v1/auth` (Basic), `POST /v1/auth/refresh`, and the WebSocket API on `/v1` with the Bearer IdToken
 * checked at the handshake.
 * Not an AWS emulator: the real local gateway is exercised by the e2e tests.
 */
import { createServer, type IncomingMessage, type Server } from 'http';
import type { AddressInfo } from 'net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface GatewayConnection {
  readonly ws: WebSocket;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly messages: Record<string, unknown>[];
  closed: boolean;
}

export const USERNAME = 'instance-user';
export const PASSWORD = 'Pa55word-not-for-logs';

export class FakeGateway {
  readonly connections: GatewayConnection[] = [];
  authCalls = 0;
  refreshCalls = 0;
  /** Seconds, as `ExpiresIn` in token answers. */
  expiresIn = 3600;
  refuseRefresh = false;
  answerPings = true;
  /** Refuse the next N handshakes with this status. */
  refuseHandshakes: { count: number; status: number } = { count: 0, status: 401 };
  readonly issuedIdTokens: string[] = [];
  /** When each token answer and each refresh request happened (ms). */
  readonly issuedAt: number[] = [];
  readonly refreshRequestedAt: number[] = [];
  private tokenSerial = 0;
  private readonly validIdTokens = new Set<string>();
  private server!: Server;
  private wss!: WebSocketServer;
  port = 0;

  get authUrl(): string {
    return `http://127.0.0.1:${this.port}/v1/auth`;
  }

  get webSocketUrl(): string {
    return `ws://127.0.0.1:${this.port}/v1`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => this.onHttp(request, response));
    this.wss = new WebSocketServer({ noServer: true });
    this.server.on('upgrade', (request, socket, head) => {
      const auth = request.headers.authorization;
      const token = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
      let status = token && this.validIdTokens.has(token) ? 0 : 401;
      if (this.refuseHandshakes.count > 0) {
        this.refuseHandshakes.count -= 1;
        status = this.refuseHandshakes.status;
      }
      if (status) {
        socket.end(`HTTP/1.1 ${status} Refused\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (ws) => this.onConnection(ws, request));
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    for (const client of this.wss.clients) client.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Connections still open, oldest first. */
  open(): GatewayConnection[] {
    return this.connections.filter((conn) => !conn.closed);
  }

  latest(): GatewayConnection {
    const conn = this.connections[this.connections.length - 1];
    if (!conn) throw new Error('no connection yet');
    return conn;
  }

  push(conn: GatewayConnection, pop: Record<string, unknown>): void {
    conn.ws.send(JSON.stringify({ Type: 'Pop', SentAt: new Date().toISOString(), ScriptData: {}, ...pop }));
  }

  acksFor(popId: string): { Status: unknown; Reason?: unknown; connection: number }[] {
    return this.connections.flatMap((conn, index) =>
      conn.messages
        .filter((message) => message.Action === 'Ack' && message.PopId === popId)
        .map((message) => ({
          Status: message.Status,
          ...(message.Reason ? { Reason: message.Reason } : {}),
          connection: index,
        })),
    );
  }

  private issue(withRefresh: boolean): Record<string, unknown> {
    const idToken = `id-token-${++this.tokenSerial}`;
    this.issuedIdTokens.push(idToken);
    this.issuedAt.push(Date.now());
    this.validIdTokens.add(idToken);
    return {
      Authenticated: true,
      IdToken: idToken,
      AccessToken: `access-token-${this.tokenSerial}`,
      ...(withRefresh ? { RefreshToken: `refresh-token-${this.tokenSerial}` } : {}),
      ExpiresIn: this.expiresIn,
    };
  }

  private onHttp(request: IncomingMessage, response: import('http').ServerResponse): void {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const send = (status: number, result: unknown, error?: { Code: string; Message: string }) => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(
          JSON.stringify({
            Success: !error,
            Result: error ? null : result,
            Version: '0.0.0',
            RequestId: 'r',
            ...(error ? { Error: error } : {}),
          }),
        );
      };
      if (request.method === 'GET' && request.url === '/v1/auth') {
        this.authCalls += 1;
        const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
        if (request.headers.authorization !== expected)
          return send(401, null, { Code: 'NotAuthorized', Message: 'Incorrect username or password.' });
        return send(200, this.issue(true));
      }
      if (request.method === 'POST' && request.url === '/v1/auth/refresh') {
        this.refreshCalls += 1;
        this.refreshRequestedAt.push(Date.now());
        const { RefreshToken } = JSON.parse(body || '{}') as { RefreshToken?: string };
        if (this.refuseRefresh || !RefreshToken?.startsWith('refresh-token-')) {
          return send(401, null, { Code: 'NotAuthorized', Message: 'Refresh Token has expired.' });
        }
        return send(200, this.issue(false));
      }
      send(404, null, { Code: 'NotFound', Message: 'no route' });
    });
  }

  private onConnection(ws: WebSocket, request: IncomingMessage): void {
    const conn: GatewayConnection = {
      ws,
      url: request.url ?? '',
      authorization: request.headers.authorization,
      messages: [],
      closed: false,
    };
    this.connections.push(conn);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      conn.messages.push(message);
      if (message.Action === 'Ping' && this.answerPings) ws.send(JSON.stringify({ Type: 'Pong' }));
    });
    ws.on('close', () => (conn.closed = true));
  }
}

/** Polls until `check` returns a truthy value (or throws the last failure after `timeoutMs`). */
export async function eventually<T>(check: () => T | undefined | false, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let failure: unknown;
    try {
      const value = check();
      if (value) return value;
    } catch (error) {
      failure = error;
    }
    if (Date.now() > deadline) throw failure ?? new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
