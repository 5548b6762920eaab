/**
 * Desktop, Login, Logout: which agents are on this instance's Desktop (contract/webSocket.ts). A pop is routed to
 * every connection that holds its agent (lambdas/pops/delivery.ts), so these messages are what routing reads.
 */
import DesktopMessageValidator from '../../contract/generated/DesktopMessage';
import LoginMessageValidator from '../../contract/generated/LoginMessage';
import LogoutMessageValidator from '../../contract/generated/LogoutMessage';
import type { DesktopMessage, LoginMessage, LogoutMessage } from '../../contract/webSocket';
import { MAX_DESKTOP_AGENTS } from '../../contract/limits';
import {
  errorReply,
  invalidMessage,
  parseMessage,
  reply,
  webSocketHandler,
  type WebSocketHandler,
} from '../edge/webSocket';
import type { PresenceDependencies } from './connectionHandlers';
import { receiveDesktop } from './desktopList';
import { deliverHeldFor, deliverHeldOnDesktop } from '../pops/heldPops';
import type { HeldDelivery } from '../pops/heldDependencies';

/**
 * The full list of agents now on the Desktop (in one message or the last of its parts) replaces what the connection
 * held before; then the pops held for the tenant's agents are delivered to those now present (one read when none is
 * held: lambdas/pops/heldPops.ts). Without `held` (tests of presence alone) nothing held is looked for.
 */
export function makeDesktopHandler(stores: PresenceDependencies, held?: HeldDelivery): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const message = parseMessage<DesktopMessage>('Desktop', DesktopMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    const { Sequence, Part, Parts } = message.value;
    const outcome = await receiveDesktop(stores, connection, message.value);
    switch (outcome.kind) {
      case 'refused':
        return invalidMessage({ message: outcome.message }, log);
      case 'applied': {
        log.info('Desktop list received', {
          agents: outcome.agents,
          ...(Parts === undefined ? {} : { Sequence, Parts }),
        });
        const delivered = held ? await deliverHeldOnDesktop({ ...held, log }, connection.tenant) : 0;
        if (delivered > 0) log.info('Held pops delivered on a Desktop list', { delivered });
        return reply();
      }
      case 'waiting':
        log.debug('Desktop part received', { Sequence, Part, Parts, received: outcome.received });
        return reply();
      case 'superseded':
        log.info('Desktop part ignored: its list was applied or replaced by a newer one', { Sequence, Part, Parts });
        return reply();
    }
  });
}

/** An agent arrived on this instance's Desktop: the pops held for it are delivered, oldest first. */
export function makeLoginHandler({ connections }: PresenceDependencies, held?: HeldDelivery): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const message = parseMessage<LoginMessage>('Login', LoginMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    // One cap for both paths: a Desktop list is refused above it (desktopList.ts), a Login here.
    const added = await connections.addPresence(connection, message.value.Username, MAX_DESKTOP_AGENTS);
    if (added === 'full') {
      log.warn('Login refused: the Desktop is full', { agent: message.value.Username, cap: MAX_DESKTOP_AGENTS });
      return errorReply(
        'InvalidMessage',
        `This connection's Desktop already holds ${MAX_DESKTOP_AGENTS} agents, the most one Desktop may hold.`,
      );
    }
    log.info('Agent logged in', { agent: message.value.Username });
    if (held) await deliverHeldFor({ ...held, log }, connection.tenant, message.value.Username);
    return reply();
  });
}

/** An agent left this instance's Desktop. */
export function makeLogoutHandler({ connections }: PresenceDependencies): WebSocketHandler {
  return webSocketHandler(async ({ event, connection, log }) => {
    const message = parseMessage<LogoutMessage>('Logout', LogoutMessageValidator, event.body);
    if (message.kind === 'invalid') return invalidMessage(message, log);
    await connections.removePresence(connection, message.value.Username);
    log.info('Agent logged out', { agent: message.value.Username });
    return reply();
  });
}
