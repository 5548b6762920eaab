/**
 * The catalogue entries a pop function read before, kept in its execution environment so that a warm pop needs only
 * the presence Query: the up-front checks then cost neither a round trip nor the CPU of a second Query.
 *
 * An entry is never trusted on age. The presence Query of every pop returns, for each connection holding the agent,
 * the Sequence of that connection's complete catalogue (lambdas/presence/connectionStore.ts `catalogue`); cached
 * entries answer for a connection only when they are as new as that Sequence:
 * - a campaign present: a cached entry of the connection with `Sequence >= catalogue`, the same rule popPlan.ts
 *   applies to fresh entries (entries are written before their publication completes, catalogueStore.ts);
 * - a campaign absent: only if the entries were read after a presence Query that showed this very Sequence (the
 *   read that follows the presence read, below), because a read made in parallel with the presence Query may predate
 *   entries that presence already counts as complete.
 * Anything else (first pop of a campaign in this environment, a catalogue published since) reads the entries again.
 */
import LRUCache from '../bundling/lruCache';
import type { AgentConnection } from '../presence/connectionStore';
import type { CatalogueEntry } from './catalogueReader';

/** Campaigns per environment; a tenant rarely has more than a few dozen, and each key holds one entry per instance. */
const CAMPAIGNS_KEPT = 512;

interface Cached {
  readonly entries: readonly CatalogueEntry[];
  /** Connection -> the catalogue Sequence presence showed before these entries were read. */
  readonly completeAt: ReadonlyMap<string, number>;
}

export class CatalogueCache {
  private readonly cached: LRUCache<string, Cached>;

  constructor(capacity = CAMPAIGNS_KEPT) {
    this.cached = new LRUCache(capacity);
  }

  /** Whether anything is kept for the campaign (a first pop reads presence and entries in parallel instead). */
  has(tenant: string, campaign: string): boolean {
    return this.cached.has(keyOf(tenant, campaign));
  }

  /** The kept entries when they answer for every connection that publishes a catalogue; otherwise undefined. */
  entriesFor(tenant: string, campaign: string, found: readonly AgentConnection[]): CatalogueEntry[] | undefined {
    const cached = this.cached.get(keyOf(tenant, campaign));
    if (cached === undefined) return undefined;
    const current = found.every(
      (target) =>
        target.catalogue === undefined ||
        cached.completeAt.get(target.connectionId) === target.catalogue ||
        cached.entries.some((e) => e.connectionId === target.connectionId && e.sequence >= target.catalogue!),
    );
    return current ? [...cached.entries] : undefined;
  }

  /**
   * Keeps the entries read for a campaign. `readAfter`: the presence the read followed, when it did (not when the two
   * were read in parallel); its connections' absences are then known for their catalogue's Sequence.
   */
  remember(
    tenant: string,
    campaign: string,
    entries: readonly CatalogueEntry[],
    readAfter: readonly AgentConnection[] = [],
  ): void {
    const completeAt = new Map<string, number>();
    for (const target of readAfter)
      if (target.catalogue !== undefined) completeAt.set(target.connectionId, target.catalogue);
    this.cached.set(keyOf(tenant, campaign), { entries, completeAt });
  }
}

// JSON keeps any tenant and campaign text apart (neither can make the pair read as another pair).
const keyOf = (tenant: string, campaign: string): string => JSON.stringify([tenant, campaign]);
