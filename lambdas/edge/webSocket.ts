/**
 * The WebSocket adapter every message route runs in: the connection's identity from the authorizer context, the
 * message parsed once with the contract's compiled validator, and every answer an API message of the contract
 * (contract/webSocket.ts: Pong, Error). A bad message is answered and the connection stays open.
 */
import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type { WebSocketErrorCode } from '../../contract/errors';
import { MAX_WEBSOCKET_MESSAGE_BYTES } from '../../contract/limits';
import { problemsOf, type CompiledValidator } from '../../contract/problems';
import type { ErrorMessage, PongMessage } from '../../contract/webSocket';
import type { ConnectionItem } from '../presence/connectionStore';
import { CONNECTION_LIFETIME_MS, epochSeconds } from '../store/tableSchema';
import { isDependencyFailure } from '../shared/dependencyFailure';
import { requestLogger, type RequestLogger } from '../shared/logger';

/** The context our $connect authorizer returns, attached by API Gateway to every later event of the connection. */
export interface InstanceAuthorizerContext {
  readonly principalId?: string;
  readonly tenant: string;
  readonly username: string;
  readonly instance: string;
}

export type WebSocketEvent = APIGatewayProxyWebsocketEventV2 & {
  requestContext: APIGatewayProxyWebsocketEventV2['requestContext'] & {
    authorizer?: Partial<InstanceAuthorizerContext> & Record<string, unknown>;
  };
  queryStringParameters?: Record<string, string | undefined> | null;
};

export interface WebSocketResult {
  readonly statusCode: number;
  readonly body?: string;
}

export type WebSocketHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;

export const reply = (message?: PongMessage | ErrorMessage): WebSocketResult =>
  message ? { statusCode: 200, body: JSON.stringify(message) } : { statusCode: 200 };

export const errorReply = (code: WebSocketErrorCode, message: string, details?: readonly string[]): WebSocketResult =>
  reply({
    Type: 'Error',
    Code: code,
    Message: message,
    ...(details && details.length > 0 ? { Details: [...details] } : {}),
  });

export interface WebSocketInvocation {
  readonly event: WebSocketEvent;
  /** The connection as the authorizer bound it: tenant and instance come from the verified token, not the message. */
  readonly connection: ConnectionItem;
  readonly log: RequestLogger;
}

/** The connection's identity from the authorizer context; no table read needed on every message. */
export function connectionOf(event: WebSocketEvent): ConnectionItem | undefined {
  const context = event.requestContext.authorizer;
  const { connectionId } = event.requestContext;
  if (!context || typeof context.tenant !== 'string' || typeof context.username !== 'string') return undefined;
  const connectedAt = Number((event.requestContext as { connectedAt?: number }).connectedAt ?? Date.now());
  return {
    connectionId,
    tenant: context.tenant,
    username: context.username,
    instance: typeof context.instance === 'string' ? context.instance : context.username,
    connectedAt,
    expiresAt: epochSeconds(connectedAt + CONNECTION_LIFETIME_MS),
  };
}

export type ParsedMessage<T> =
  | { readonly kind: 'parsed'; readonly value: T }
  | { readonly kind: 'invalid'; readonly message: string; readonly details?: readonly string[] };

/** Parse a message of a known route once with its compiled validator; afterwards the handler trusts its type. */
export function parseMessage<T>(
  action: string,
  validator: CompiledValidator,
  body: string | undefined,
): ParsedMessage<T> {
  // API Gateway refuses larger messages itself; checked here too so that no route ever reads past the real limit.
  if (body !== undefined && Buffer.byteLength(body, 'utf8') > MAX_WEBSOCKET_MESSAGE_BYTES) {
    return {
      kind: 'invalid',
      message: `The message is over ${MAX_WEBSOCKET_MESSAGE_BYTES} bytes, API Gateway's limit for one WebSocket message.`,
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return { kind: 'invalid', message: 'The message is not JSON.' };
  }
  const problems = problemsOf(validator, value);
  if (problems.length > 0)
    return { kind: 'invalid', message: `Invalid ${action} message: ${problems.join('; ')}`, details: problems };
  return { kind: 'parsed', value: value as T };
}

/** The answer to a message that did not parse. */
export function invalidMessage(
  invalid: { message: string; details?: readonly string[] },
  log: RequestLogger,
): WebSocketResult {
  log.warn('Invalid message', { reason: invalid.message });
  return errorReply('InvalidMessage', invalid.message, invalid.details);
}

/**
 * Wrap a WebSocket route handler: a failure of ours is answered too (never a silent drop), logged without the
 * message body.
 */
export function webSocketHandler(
  body: (invocation: WebSocketInvocation) => Promise<WebSocketResult>,
): WebSocketHandler {
  return async (event, context) => {
    const connection = connectionOf(event);
    const log = requestLogger(context, {
      connectionId: event.requestContext.connectionId,
      routeKey: event.requestContext.routeKey,
      ...(connection ? { tenant: connection.tenant, instance: connection.instance } : {}),
    });
    if (!connection) {
      log.warn('Event without an authorized connection');
      return errorReply('Unauthorized', 'This connection is not authorized.');
    }
    try {
      return await body({ event, connection, log });
    } catch (error) {
      const reason = { errorName: (error as Error)?.name, reason: (error as Error)?.message };
      if (isDependencyFailure(error)) {
        log.error('A dependency failed', reason);
        return errorReply(
          'ServiceUnavailable',
          'The service is temporarily unavailable; send the message again shortly.',
        );
      }
      log.error('Unexpected failure', reason);
      return errorReply('InternalError', 'The message could not be processed.');
    }
  };
}
