import type { Context } from 'aws-lambda';
import { documentClient } from '../clients/documentClient';
import { requestLogger } from '../shared/logger';
import { ENV, requireEnv } from '../shared/settings';
import { connectionOf, type WebSocketEvent, type WebSocketResult } from '../shared/webSocketResponse';
import { ConnectionStore } from '../store/connectionStore';

const connections = new ConnectionStore(documentClient(), requireEnv(ENV.tableName));

/** $connect (after the authorizer): record the connection under the tenant its token names. */
export const handler = async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
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
