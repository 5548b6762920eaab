import { parseInstanceMessage } from '../domain/instanceMessages';
import { reply, webSocketHandler } from '../shared/webSocketResponse';

/** Ping: the instance's heartbeat, well inside API Gateway's 10-minute idle timeout. */
export const handler = webSocketHandler(async ({ event }) => {
  parseInstanceMessage('Ping', event.body);
  return reply({ Type: 'Pong' });
});
