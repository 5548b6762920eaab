import {
  GoneException,
  PostToConnectionCommand,
  type ApiGatewayManagementApiClient,
} from '@aws-sdk/client-apigatewaymanagementapi';

export type PushOutcome = 'sent' | 'gone';
export type PushToConnection = (connectionId: string, payload: string) => Promise<PushOutcome>;

/** How long one PostToConnection may take: the whole pop must answer well inside API Gateway's 29 s. */
export const PUSH_TIMEOUT_MS = 3000;

/**
 * Post a message to one connection. A connection that is gone answers 410; SDK v3 raises GoneException only when the
 * answer names it, so the status code is checked too. Other failures are thrown to the caller.
 */
export function connectionPusher(client: ApiGatewayManagementApiClient): PushToConnection {
  return async (connectionId, payload) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: payload }), {
        abortSignal: AbortSignal.timeout(PUSH_TIMEOUT_MS),
      });
      return 'sent';
    } catch (error) {
      if (error instanceof GoneException || (error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 410) {
        return 'gone';
      }
      throw error;
    }
  };
}
