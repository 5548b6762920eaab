/** The WebSocket routes that touch no feature: the heartbeat and the catch-all for unknown messages. */
import PingMessageValidator from '../../contract/generated/PingMessage';
import type { PingMessage } from '../../contract/webSocket';
import { errorReply, invalidMessage, parseMessage, reply, webSocketHandler, type WebSocketHandler } from './webSocket';

const KNOWN = 'Desktop, Login, Logout, Ack, Ping';

/** Ping: the instance's heartbeat, well inside API Gateway's 10-minute idle timeout. */
export function makePingHandler(): WebSocketHandler {
  return webSocketHandler(async ({ event, log }) => {
    const message = parseMessage<PingMessage>('Ping', PingMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    return reply({ Type: 'Pong' });
  });
}

/** $default: a message that is not JSON or names no known Action; answered, and the connection stays open. */
export function makeDefaultHandler(): WebSocketHandler {
  return webSocketHandler(async ({ event, log }) => {
    let action: unknown;
    try {
      action = (JSON.parse(event.body ?? '') as { Action?: unknown })?.Action;
    } catch {
      log.warn('Message is not JSON');
      return errorReply('InvalidMessage', `The message must be JSON with an Action (${KNOWN}).`);
    }
    log.warn('Unknown action');
    return errorReply(
      'UnknownAction',
      typeof action === 'string'
        ? `Unknown Action "${action.slice(0, 64)}"; expected one of ${KNOWN}.`
        : `The message needs an Action (${KNOWN}).`,
    );
  });
}
