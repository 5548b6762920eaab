import { documentClient } from '../clients/documentClient';
import { parseInstanceMessage } from '../domain/instanceMessages';
import { ENV, requireEnv } from '../shared/settings';
import { reply, webSocketHandler } from '../shared/webSocketResponse';
import { ConnectionStore } from '../store/connectionStore';

const connections = new ConnectionStore(documentClient(), requireEnv(ENV.tableName));

/** Desktop: the full list of agents now on this instance's Desktop replaces what the connection held before. */
export const handler = webSocketHandler(async ({ event, connection, log }) => {
  const message = parseInstanceMessage('Desktop', event.body);
  await connections.replaceDesktop(connection, message.Agents);
  log.info('Desktop list received', { agents: message.Agents.length });
  return reply();
});
