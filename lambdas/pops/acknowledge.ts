/**
 * An instance's Ack applied to a pop: read the pop of the connection's own tenant, let `next` (status.ts) decide, and
 * store the change only if nobody changed the pop meanwhile; a lost race reads again. A pop that failed everywhere
 * gives its record claim back (claims.ts).
 */
import type { PopStatus } from '../../contract/statuses';
import { releaseClaimOf } from './claims';
import type { PopStore, StoredPop } from './popStore';
import { next, type Ack } from './status';

export type AckOutcome =
  | { readonly kind: 'updated'; readonly pop: StoredPop }
  | { readonly kind: 'unchanged'; readonly pop: StoredPop }
  /** This connection failed the pop, but another connection it was sent to has not answered yet. */
  | { readonly kind: 'failureNoted'; readonly pop: StoredPop }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'notSentToConnection' }
  | { readonly kind: 'alreadyFinal'; readonly status: PopStatus }
  | { readonly kind: 'notRecalled'; readonly status: PopStatus };

/** Each lost race means another ack of the same pop was stored; a pop has few connections, so few rounds. */
const MAX_ROUNDS = 10;

export async function acknowledge(
  pops: PopStore,
  ack: Ack & { readonly tenant: string; readonly popId: string },
): Promise<AckOutcome> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const pop = await pops.getPop(ack.tenant, ack.popId);
    if (!pop) return { kind: 'notFound' };
    const transition = next(pop, ack);
    switch (transition.kind) {
      case 'unchanged':
        return { kind: 'unchanged', pop };
      case 'alreadyFinal':
      case 'notRecalled':
      case 'notSentToConnection':
        return transition;
      case 'move':
      case 'noteFailure': {
        const stored = await pops.saveTransition(pop, transition.change);
        if (!stored) continue;
        if (transition.kind === 'noteFailure') return { kind: 'failureNoted', pop: stored };
        if (stored.Status === 'Failed') await releaseClaimOf(pops, stored);
        return { kind: 'updated', pop: stored };
      }
    }
  }
  throw new Error('The pop kept changing while an Ack was applied');
}
