/**
 * DELETE /pops/{PopId}'s use case: recall a pop that has not opened. The API decides (status.ts `recallOf`) and stores
 * Recalled first, with the same conditional write as an Ack (a racing Opened and the recall cannot both win; the loser
 * reads again), then gives the record claim back and tells the pop's instances (a `Recall` message), which drop it if
 * it has not opened and acknowledge Recalled. Telling them is best effort: an instance the Recall misses opens the pop
 * and its Opened ack changes nothing (status.ts), which ackHandler.ts logs at Warn.
 */
import type { RecallMessage } from '../../contract/webSocket';
import type { ConnectionStore } from '../presence/connectionStore';
import type { RequestLogger } from '../shared/logger';
import { refuse, type Refused } from '../shared/outcome';
import { releaseClaimOf } from './claims';
import { asOf, type PopStore, type StoredPop } from './popStore';
import type { PushToConnection } from './pusher';
import { instanceKey, recallOf } from './status';

export interface RecallDependencies {
  readonly pops: PopStore;
  readonly connections: ConnectionStore;
  readonly push: PushToConnection;
}

export type RecallOutcome = { readonly kind: 'recalled'; readonly pop: StoredPop; readonly told: number } | Refused;

/** Each lost race means an Ack of the same pop was stored meanwhile; a pop has few acks, so few rounds. */
const MAX_ROUNDS = 10;

export const popNotFound = () => refuse('PopNotFound', 'No pop with this PopId exists for your tenant.');

export async function recallPop(
  deps: RecallDependencies,
  tenant: string,
  popId: string,
  log: RequestLogger,
): Promise<RecallOutcome> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const pop = await deps.pops.getPop(tenant, popId);
    if (!pop) return popNotFound();
    // A held pop past its deadline is Expired, though the hold timer may not have stored it yet.
    const decision = recallOf(asOf(pop, Date.now()));
    switch (decision.kind) {
      case 'alreadyOpened':
        return refuse('AlreadyOpened', 'The pop has opened on a Desktop; it can no longer be recalled.');
      case 'alreadyFinal':
        return refuse('AlreadyFinal', `The pop has ended (${decision.status}); there is nothing to recall.`);
      case 'alreadyRecalled':
        return { kind: 'recalled', pop, told: 0 };
      case 'recall': {
        const stored = await deps.pops.saveTransition(pop, { status: 'Recalled' });
        if (!stored) continue;
        await releaseClaimOf(deps.pops, stored);
        const told = await tellInstances(deps, stored, log);
        return { kind: 'recalled', pop: stored, told };
      }
    }
  }
  throw new Error('The pop kept changing while it was recalled');
}

/**
 * Push the Recall to the connections the pop was pushed to and to the agent's connections now held by the same
 * instances (an instance that reconnected since has a new connection id). Returns how many took it.
 */
async function tellInstances(deps: RecallDependencies, pop: StoredPop, log: RequestLogger): Promise<number> {
  const current =
    pop.sentToInstances.length === 0 ? [] : await deps.connections.connectionsForAgent(pop.tenant, pop.Username);
  const sameInstance = current.filter((c) => pop.sentToInstances.includes(instanceKey(c))).map((c) => c.connectionId);
  const targets = [...new Set([...pop.sentTo, ...sameInstance])];
  const message: RecallMessage = { Type: 'Recall', PopId: pop.PopId };
  const payload = JSON.stringify(message);
  const outcomes = await Promise.allSettled(targets.map((connectionId) => deps.push(connectionId, payload)));
  const told = outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === 'sent').length;
  // A connection of the pop that has since closed is normal (its instance reconnected); none reached is worth a look.
  if (told === 0 && targets.length > 0)
    log.warn('The Recall reached no connection of the pop', { connections: targets.length });
  else log.info('Pop recalled', { connections: targets.length, told });
  return told;
}
