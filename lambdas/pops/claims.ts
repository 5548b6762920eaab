/**
 * How a record claim works. A pop with a Reference first claims Campaign+Reference of its tenant for its agent for
 * the claim window, with one conditional write (PopStore.claimRecord): of any number of simultaneous pops of one record
 * for different agents exactly one gets it. The same agent inside the window gets the first PopId back and nothing is
 * pushed twice. A pop that fails (nobody took it, or every instance failed it) gives its claim back: delivery.ts and
 * acknowledge.ts call `releaseClaimOf`.
 */
import type { RequestLogger } from '../shared/logger';
import type { PopStore } from './popStore';

/** Longer than any pop request can run (the function's timeout is 10 s, API Gateway's limit 29 s). */
export const IN_FLIGHT_GRACE_MS = 30_000;

export interface ClaimDependencies {
  readonly pops: PopStore;
  readonly claimWindowMs: number;
  readonly now: () => number;
  readonly log: RequestLogger;
}

export interface RecordOf {
  readonly tenant: string;
  readonly campaign: string;
  readonly reference: string;
  readonly username: string;
}

export type ClaimDecision =
  | { readonly kind: 'claimed' }
  /** The same agent and record inside the window: answer with the first pop, push nothing. */
  | { readonly kind: 'repeat'; readonly popId: string }
  /** The same pop's first attempt is still between its claim and storing its pop. */
  | { readonly kind: 'inProgress' }
  | { readonly kind: 'heldByOtherUser' };

export async function claimFor(deps: ClaimDependencies, record: RecordOf, popId: string): Promise<ClaimDecision> {
  const claim = () => deps.pops.claimRecord({ ...record, popId, windowMs: deps.claimWindowMs });
  let held = await claim();
  if (held.kind === 'heldBySameUser' && !(await deps.pops.getPop(record.tenant, held.popId))) {
    // The same agent holds the claim but its pop is not stored: either the first attempt is still between its claim
    // and its store (a duplicate racing it must not push twice), or it failed there (the table failed; the caller
    // retries as its 503 said) and the claim is an orphan. No attempt outlives the function's timeout, so a claim
    // older than that is an orphan: give it back and claim again, or this retry would answer with a PopId that
    // never existed and push nothing.
    if (deps.now() - held.claimedAt < IN_FLIGHT_GRACE_MS) {
      deps.log.info('Same pop still in progress', { firstPopId: held.popId });
      return { kind: 'inProgress' };
    }
    deps.log.warn('Orphan record claim released', { orphanPopId: held.popId });
    await deps.pops.releaseClaim(record.tenant, record.campaign, record.reference, held.popId);
    held = await claim();
  }
  if (held.kind === 'heldBySameUser') return { kind: 'repeat', popId: held.popId };
  return held;
}

/** Give a failed pop's claim back, if it took one and still holds it. */
export async function releaseClaimOf(
  pops: PopStore,
  pop: { readonly tenant: string; readonly Campaign: string; readonly Reference?: string; readonly PopId: string },
): Promise<void> {
  if (pop.Reference !== undefined) await pops.releaseClaim(pop.tenant, pop.Campaign, pop.Reference, pop.PopId);
}
