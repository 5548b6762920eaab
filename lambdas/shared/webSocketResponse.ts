import type { APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { InvalidMessageError } from '../domain/instanceMessages';
import type { ConnectionItem } from '../store/connectionStore';
import { CONNECTION_LIFETIME_MS, epochSeconds } from '../store/tableSchema';
import { requestLogger, type RequestLogger } from './logger';
import { isDependencyFailure } from './dependencyFailure';

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

/** Server -> client messages other than pops (CONTRACT.md). */
export type ServerMessage = { Type: 'Pong' } | { Type: 'Error'; Code: string; Message: string; Details?: string[] };

export const reply = (message?: ServerMessage): WebSocketResult =>
  message ? { statusCode: 200, body: JSON.stringify(message) } : { statusCode: 200 };

export const errorReply = (code: string, message: string, details?: string[]): WebSocketResult =>
  reply({ Type: 'Error', Code: code, Message: message, ...(details && details.length > 0 ? { Details: details } : {}) });

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

/**
 * Wrap a WebSocket route handler: a bad message is answered with an Error message and the connection stays open;
 * a failure of ours is answered too (never a silent drop), logged without the message body.
 */
export function webSocketHandler(
  body: (invocation: WebSocketInvocation) => Promise<WebSocketResult>,
): (event: WebSocketEvent, context: Context) => Promise<WebSocketResult> {
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
      if (error instanceof InvalidMessageError) {
        log.warn('Invalid message', { reason: error.message });
        return errorReply('InvalidMessage', error.message, error.details);
      }
      if (isDependencyFailure(error)) {
        log.error('A dependency failed', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
        return errorReply('ServiceUnavailable', 'The service is temporarily unavailable; send the message again shortly.');
      }
      log.error('Unexpected failure', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
      return errorReply('InternalError', 'The message could not be processed.');
    }
  };
}
