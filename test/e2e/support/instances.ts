/** A Scripting instance's WebSocket connection for tests: collects every message and waits for the one expected. */
import WebSocket from 'ws';
import { readEndpoints, testHooksUrl } from './endpoints';

export interface InstanceConnection {
  readonly socket: WebSocket;
  /** The gateway's connection id (named by the e2e gateway's test hooks in the handshake answer). */
  readonly connectionId: string;
  /** Every message received so far, parsed as JSON when it is JSON (otherwise the raw string). */
  readonly messages: unknown[];
  send(message: unknown): void;
  /** Resolves with the first message (already received or to come) that matches; rejects after timeoutMs. */
  waitForMessage<T = unknown>(predicate: (message: any) => boolean, timeoutMs?: number): Promise<T>;
  /** Resolves when the socket closes, with the close code and reason. */
  readonly closed: Promise<{ code: number; reason: string }>;
  close(code?: number, reason?: string): Promise<{ code: number; reason: string }>;
}

export interface ConnectOptions {
  /** `?instance=<name>` */
  readonly instance?: string;
  /** Extra headers; `Authorization: Bearer <idToken>` is set unless idToken is undefined. */
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

function parse(data: WebSocket.RawData): unknown {
  const text = data.toString();
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function url(options: ConnectOptions): string {
  const base = readEndpoints().WebSocketUrl;
  return options.instance ? `${base}?instance=${encodeURIComponent(options.instance)}` : base;
}

/** Connect as a Scripting instance; rejects with `HandshakeRefusedError` (status) when the gateway refuses. */
export function connectInstance(
  idToken: string | undefined,
  options: ConnectOptions = {},
): Promise<InstanceConnection> {
  const headers = { ...(idToken !== undefined ? { Authorization: `Bearer ${idToken}` } : {}), ...options.headers };
  const socket = new WebSocket(url(options), { headers });
  const messages: unknown[] = [];
  const waiters: { predicate: (m: unknown) => boolean; resolve: (m: unknown) => void }[] = [];
  socket.on('message', (data) => {
    const message = parse(data);
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error('WebSocket handshake timed out'));
    }, options.timeoutMs ?? 10_000);
    let connectionId = '';
    socket.once('upgrade', (response) => {
      const header = response.headers['x-local-connection-id'];
      connectionId = typeof header === 'string' ? decodeURIComponent(header) : '';
    });
    socket.once('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => reject(new HandshakeRefusedError(response.statusCode ?? 0, body)));
      response.on('error', () => reject(new HandshakeRefusedError(response.statusCode ?? 0, body)));
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    socket.once('open', () => {
      clearTimeout(timer);
      resolve({
        socket,
        connectionId,
        messages,
        send: (message) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
        waitForMessage<T>(predicate: (message: any) => boolean, timeoutMs = 5000): Promise<T> {
          const found = messages.find(predicate);
          if (found !== undefined) return Promise.resolve(found as T);
          return new Promise<T>((resolveWait, rejectWait) => {
            const waiter = {
              predicate,
              resolve: (m: unknown) => {
                clearTimeout(waitTimer);
                resolveWait(m as T);
              },
            };
            const waitTimer = setTimeout(() => {
              waiters.splice(waiters.indexOf(waiter), 1);
              rejectWait(new Error(`No matching message within ${timeoutMs} ms; received ${JSON.stringify(messages)}`));
            }, timeoutMs);
            waiters.push(waiter);
          });
        },
        closed,
        close(code = 1000, reason = '') {
          if (socket.readyState === WebSocket.OPEN || socket.readyState === WebSocket.CONNECTING) {
            socket.close(code, reason);
          }
          return closed;
        },
      });
    });
  });
}

export class HandshakeRefusedError extends Error {
  override name = 'HandshakeRefusedError';
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`WebSocket handshake refused with HTTP ${status}`);
  }
}

/** The handshake's HTTP status when refused, 101 when accepted (the socket is then closed). */
export async function handshakeStatus(idToken: string | undefined, options: ConnectOptions = {}): Promise<number> {
  try {
    const connection = await connectInstance(idToken, options);
    await connection.close();
    return 101;
  } catch (error) {
    if (error instanceof HandshakeRefusedError) return error.status;
    throw error;
  }
}

/**
 * Test hook: the gateway drops the socket without a close frame and without `$disconnect`, like a lost network.
 * The client then sees code 1006; the connection's items stay in the table until a push finds it gone (410).
 */
export async function dropConnection(connectionId: string): Promise<boolean> {
  const response = await fetch(`${testHooksUrl()}/connections/${encodeURIComponent(connectionId)}/drop`, {
    method: 'POST',
  });
  return response.status === 200;
}

/** Test hook: ids of the open connections. */
export async function openConnectionIds(): Promise<string[]> {
  const response = await fetch(`${testHooksUrl()}/connections`);
  return ((await response.json()) as { Connections: string[] }).Connections;
}
