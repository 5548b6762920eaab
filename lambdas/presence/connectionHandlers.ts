/**
 * $connect and $disconnect: a Scripting instance's connection, recorded under the tenant its token names (the
 * authorizer, lambdas/auth/instanceAuthorizer.ts, verified it) and removed with everything it held.
 */
import type { Context } from 'aws-lambda';
import { connectionOf, type WebSocketEvent, type WebSocketHandler, type WebSocketResult } from '../edge/webSocket';
import { requestLogger } from '../shared/logger';
import { ConnectionStore } from './connectionStore';
import { DesktopPartStore } from './desktopPartStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface PresenceDependencies {
  readonly connections: ConnectionStore;
  readonly desktopParts: DesktopPartStore;
}

export function makeConnectHandler({ connections }: PresenceDependencies): WebSocketHandler {
  return async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
    const connection = connectionOf(event);
    const log = requestLogger(context, { connectionId: event.requestContext.connectionId });
    if (!connection) {
      log.warn('Connection without authorizer context refused');
      return { statusCode: 401 };
    }
    await connections.putConnection(connection);
    log.info('Instance connected', { tenant: connection.tenant, instance: connection.instance });
    return { statusCode: 200 };
  };
}

/** Best effort: AWS may never send $disconnect; the items' TTL and a pop that finds the connection gone clean up too. */
export function makeDisconnectHandler({ connections }: PresenceDependencies): WebSocketHandler {
  return async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
    const { connectionId } = event.requestContext;
    const removed = await connections.removeConnection(connectionId);
    requestLogger(context, { connectionId }).info('Instance disconnected', {
      tenant: event.requestContext.authorizer?.tenant,
      itemsRemoved: removed,
    });
    return { statusCode: 200 };
  };
}

export const presenceDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'>,
): PresenceDependencies => ({
  connections: new ConnectionStore(clients.db, settings.tableName),
  desktopParts: new DesktopPartStore(clients.db, settings.tableName),
});
