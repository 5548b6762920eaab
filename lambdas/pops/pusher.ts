import {
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';

/**
 * - `sent`: API Gateway took the message for the connection.
 * - `gone`: the connection no longer exists (410); nothing was delivered.
 * - `unknown`: the request may have reached API Gateway but no answer came (our timeout, a connection reset after
 *   sending, a 5xx): the instance may have the pop or not. Only its Ack can tell (delivery.ts keeps the pop open).
 * Any other failure (a 4xx, a connection never made) is thrown: nothing was delivered.
 */
export type PushOutcome = 'sent' | 'gone' | 'unknown';
export type PushToConnection = (connectionId: string, payload: string) => Promise<PushOutcome>;

/** How long one PostToConnection may take: the whole pop must answer well inside API Gateway's 29 s. */
export const PUSH_TIMEOUT_MS = 3000;

/** Failures after which the message may still have been sent: the request left, no answer came back. */
const AFTER_SENDING = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT']);

export function outcomeUnknown(error: unknown): boolean {
  const failure = error as {
    name?: string;
    code?: string;
    message?: string;
    cause?: { code?: string };
    $metadata?: { httpStatusCode?: number };
  };
  if (!failure) return false;
  if (failure.name === 'TimeoutError' || failure.name === 'AbortError') return true;
  if (AFTER_SENDING.has(failure.code ?? '') || AFTER_SENDING.has(failure.cause?.code ?? '')) return true;
  if (failure.message === 'socket hang up') return true;
  return (failure.$metadata?.httpStatusCode ?? 0) >= 500;
}

/**
 * Post a message to one connection. A connection that is gone answers 410; SDK v3 raises GoneException only when the
 * answer names it, so the status code is checked too.
 */
export function connectionPusher(client: ApiGatewayManagementApiClient): PushToConnection {
  return async (connectionId, payload) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: payload }), {
        abortSignal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      return 'sent';
    } catch (error) {
      if (isGone(error)) return 'gone';
      if (outcomeUnknown(error)) return 'unknown';
      throw error;
    }
  };
}

/** API Gateway's answer for a connection that no longer exists (410), named or not by the SDK. */
export const isGone = (error: unknown): boolean =>
  error instanceof GoneException ||
  (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 410;

/** Whether a push to the connection would find it gone: only a 410 says so. */
export type ProbeConnection = (connectionId: string) => Promise<'gone' | 'reachable'>;

/**
 * GetConnection, the read-only twin of the push: the dry run and the catalogue count only connections POST /pop would
 * not find gone (after a missed $disconnect they counted a connection a pop answered 404 for). Any
 * answer but 410 (a timeout, a 5xx) leaves the connection counted, as a push without an answer leaves it reached.
 */
export function connectionProber(client: ApiGatewayManagementApiClient): ProbeConnection {
  return async (connectionId) => {
    try {
      await client.send(new GetConnectionCommand({ ConnectionId: connectionId }), {
        abortSignal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      return 'reachable';
    } catch (error) {
      return isGone(error) ? 'gone' : 'reachable';
    }
  };
}
