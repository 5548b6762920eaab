import { errorReply, webSocketHandler } from '../shared/webSocketResponse';

const KNOWN = 'Desktop, Login, Logout, Ack, Ping';

/** $default: a message that is not JSON or names no known Action; answered, and the connection stays open. */
export const handler = webSocketHandler(async ({ event, log }) => {
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
    typeof action === 'string' ? `Unknown Action "${action.slice(0, 64)}"; expected one of ${KNOWN}.` : `The message needs an Action (${KNOWN}).`,
  );
});
