import { documentClient } from '../clients/documentClient';
import { parseInstanceMessage } from '../domain/instanceMessages';
import { ENV, requireEnv } from '../shared/settings';
import { reply, webSocketHandler } from '../shared/webSocketResponse';
import { ConnectionStore } from '../store/connectionStore';

const connections = new ConnectionStore(documentClient(), requireEnv(ENV.tableName));

/** Login: an agent arrived on this instance's Desktop. */
export const handler = webSocketHandler(async ({ event, connection, log }) => {
  const message = parseInstanceMessage('Login', event.body);
  await connections.addPresence(connection, message.Username);
  log.info('Agent logged in', { agent: message.Username });
  return reply();
});
