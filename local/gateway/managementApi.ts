/**
 * The `@connections` management API (PostToConnection, GetConnection, DeleteConnection) on the WebSocket port,
 * answering like API Gateway so the real ApiGatewayManagementApiClient behaves as in AWS (410 -> GoneException).
 * Locally requests are not signature-checked.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { BodyTooLargeError, readBody } from './body';
import type { ConnectionRegistry, LocalConnection } from './connections';
import { newRequestId } from './ids';

export interface ManagementApiOptions {
  readonly stage: string;
  readonly connections: ConnectionRegistry;
  readonly messageLimitBytes: number;
  /** DeleteConnection: close the socket (the caller records the status for `$disconnect`). */
  readonly close: (connectionId: string) => void;
  /** Test hook: how long PostToConnection waits before it delivers (a slow endpoint). @default 0 */
  readonly postDelayMs?: () => number;
}

function sendError(res: ServerResponse, status: number, type: string, message: string): void {
  const body = JSON.stringify({ __type: type, message });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-ErrorType': type,
    'x-amzn-RequestId': newRequestId(),
  });
  res.end(body);
}

function sendOk(res: ServerResponse, status: number, json?: unknown): void {
  const text = json === undefined ? '' : JSON.stringify(json);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'x-amzn-RequestId': newRequestId(),
  });
  res.end(text);
}

const sendGone = (res: ServerResponse, connectionId: string) =>
  sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);

/** The connection id and body of a management request, or undefined once answered (400, 413). */
async function readRequest(
  req: IncomingMessage,
  res: ServerResponse,
  encodedId: string,
  options: ManagementApiOptions,
): Promise<{ readonly connectionId: string; readonly body: Buffer } | undefined> {
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(encodedId);
  } catch {
    req.resume();
    sendError(res, 400, 'BadRequestException', 'Invalid connection id encoding');
    return undefined;
  }
  try {
    return { connectionId, body: await readBody(req, options.messageLimitBytes) };
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
    return undefined;
  }
}

/** The slow-endpoint test hook: waits `postDelayMs`; false when the caller gave up meanwhile (nothing is delivered). */
async function waitOutPostDelay(
  req: IncomingMessage,
  res: ServerResponse,
  options: ManagementApiOptions,
): Promise<boolean> {
  const delayMs = req.method === 'POST' ? (options.postDelayMs?.() ?? 0) : 0;
  if (delayMs <= 0) return true;
  let callerLeft = false;
  res.once('close', () => (callerLeft = !res.writableEnded));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  return !callerLeft;
}

/** PostToConnection: one text frame; 410 when the socket closed meanwhile. */
async function postToConnection(res: ServerResponse, connection: LocalConnection, body: Buffer): Promise<void> {
  await new Promise<void>((resolve, reject) =>
    connection.socket.send(body.toString('utf8'), { binary: false }, (error) => (error ? reject(error) : resolve())),
  ).catch(() => undefined);
  if (connection.socket.readyState !== connection.socket.OPEN) return sendGone(res, connection.id);
  connection.lastActiveAt = Date.now();
  sendOk(res, 200);
}

/** Handles `/<stage>/@connections/<id>`; false when the path is not the management API's. */
export async function handleManagementRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: ManagementApiOptions,
): Promise<boolean> {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const prefix = `/${options.stage}/@connections/`;
  if (!rawPath.startsWith(prefix)) return false;
  const request = await readRequest(req, res, rawPath.slice(prefix.length), options);
  // A slow endpoint: a caller that gives up first (its timeout) leaves, and its message is not delivered.
  if (!request || !(await waitOutPostDelay(req, res, options))) return true;
  const connection = options.connections.get(request.connectionId);
  if (!connection) {
    sendGone(res, request.connectionId);
    return true;
  }
  switch (req.method) {
    case 'POST':
      await postToConnection(res, connection, request.body);
      return true;
    case 'GET':
      // Wire names are lower camel case (the SDK maps them to ConnectedAt, Identity.SourceIp, ...).
      sendOk(res, 200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent ?? '' },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
      return true;
    case 'DELETE':
      options.close(request.connectionId);
      sendOk(res, 204);
      return true;
    default:
      sendError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      return true;
  }
}
