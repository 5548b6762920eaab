import type { Context } from 'aws-lambda';
import { documentClient } from '../clients/documentClient';
import { requestLogger } from '../shared/logger';
import { ENV, requireEnv } from '../shared/settings';
import type { WebSocketEvent, WebSocketResult } from '../shared/webSocketResponse';
import { ConnectionStore } from '../store/connectionStore';

const connections = new ConnectionStore(documentClient(), requireEnv(ENV.tableName));

/** $disconnect: remove the connection and every agent presence it held (best effort: AWS may never send it). */
export const handler = async (event: WebSocketEvent, context: Context): Promise<WebSocketResult> => {
  const { connectionId } = event.requestContext;
  const removed = await connections.removeConnection(connectionId);
  requestLogger(context, { connectionId }).info('Instance disconnected', {
    tenant: event.requestContext.authorizer?.tenant,
    itemsRemoved: removed,
  });
  return { statusCode: 200 };
};
