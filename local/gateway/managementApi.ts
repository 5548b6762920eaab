/**
 * The `@connections` management API (PostToConnection, GetConnection, DeleteConnection) on the WebSocket port,
 * answering like API Gateway so the real ApiGatewayManagementApiClient behaves as in AWS (410 -> GoneException).
 * Locally requests are not signature-checked.
 */
import type { IncomingMessage, ServerResponse } from 'http';
import { BodyTooLargeError, readBody } from './body';
import type { ConnectionRegistry } from './connections';
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

/** Handles `/<stage>/@connections/<id>`; false when the path is not the management API's. */
export async function handleManagementRequest(
  req: IncomingMessage,
  res: ServerResponse,
  options: ManagementApiOptions,
): Promise<boolean> {
  const rawPath = (req.url ?? '/').split('?')[0]!;
  const prefix = `/${options.stage}/@connections/`;
  if (!rawPath.startsWith(prefix)) return false;
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(rawPath.slice(prefix.length));
  } catch {
    req.resume();
    sendError(res, 400, 'BadRequestException', 'Invalid connection id encoding');
    return true;
  }
  let body: Buffer;
  try {
    body = await readBody(req, options.messageLimitBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendError(res, 413, 'PayloadTooLargeException', 'Message too long');
    return true;
  }
  const delayMs = req.method === 'POST' ? options.postDelayMs?.() ?? 0 : 0;
  if (delayMs > 0) {
    // A slow endpoint: a caller that gives up first (its timeout) leaves, and its message is not delivered.
    let callerLeft = false;
    res.once('close', () => (callerLeft = !res.writableEnded));
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (callerLeft) return true;
  }
  const connection = options.connections.get(connectionId);
  if (!connection) {
    sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
    return true;
  }
  const ok = (status: number, json?: unknown) => {
    const text = json === undefined ? '' : JSON.stringify(json);
    res.writeHead(status, {
      'Content-Type': 'application/json',
      'Content-Length': Buffer.byteLength(text),
      'x-amzn-RequestId': newRequestId(),
    });
    res.end(text);
  };
  switch (req.method) {
    case 'POST':
      await new Promise<void>((resolve, reject) =>
        connection.socket.send(body.toString('utf8'), { binary: false }, (error) => (error ? reject(error) : resolve())),
      ).catch(() => undefined);
      if (connection.socket.readyState !== connection.socket.OPEN) {
        sendError(res, 410, 'GoneException', `Connection ${connectionId} is gone`);
        return true;
      }
      connection.lastActiveAt = Date.now();
      ok(200);
      return true;
    case 'GET':
      // Wire names are lower camel case (the SDK maps them to ConnectedAt, Identity.SourceIp, ...).
      ok(200, {
        connectedAt: new Date(connection.connectedAt).toISOString(),
        identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent ?? '' },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      });
      return true;
    case 'DELETE':
      options.close(connectionId);
      ok(204);
      return true;
    default:
      sendError(res, 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      return true;
  }
}
