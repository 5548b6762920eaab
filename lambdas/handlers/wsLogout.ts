import { documentClient } from '../clients/documentClient';
import { parseInstanceMessage } from '../domain/instanceMessages';
import { ENV, requireEnv } from '../shared/settings';
import { reply, webSocketHandler } from '../shared/webSocketResponse';
import { ConnectionStore } from '../store/connectionStore';

const connections = new ConnectionStore(documentClient(), requireEnv(ENV.tableName));

/** Logout: an agent left this instance's Desktop. */
export const handler = webSocketHandler(async ({ event, connection, log }) => {
  const message = parseInstanceMessage('Logout', event.body);
  await connections.removePresence(connection, message.Username);
  log.info('Agent logged out', { agent: message.Username });
  return reply();
});
