/**
 * Which of the agent's connections a pop goes to, and whether it is refused at once: the agent's presence
 * (with each instance's licence state for it) and every catalogue entry of the campaign are read in parallel, one
 * Query each, so the checks add no sequential round trip. Once the environment has read a campaign's entries, a pop
 * reads presence alone and checks against the kept entries while presence shows they are current
 * (lambdas/catalogue/catalogueCache.ts); only a catalogue published since makes it read them again. A connection whose instance published no catalogue gets no
 * up-front check (today's behaviour); it still receives the pop. POST /pop (delivery.ts) and POST /pop/validate
 * (validateHandler.ts) share this plan, so the dry run gives exactly the refusal the pop would.
 */
import type { PopRequest } from '../../contract/rest';
import type { CatalogueEntry } from '../catalogue/catalogueReader';
import { POP_CHECKS } from '../../contract/statuses';
import { checkOnInstance, mostParticular, type Check, type CheckRefusal } from '../catalogue/campaignChecks';
import type { CatalogueCache } from '../catalogue/catalogueCache';
import type { AgentConnection, ConnectionStore } from '../presence/connectionStore';
import { refuse, type Refused } from '../shared/outcome';

export interface PlanDependencies {
  readonly connections: Pick<ConnectionStore, 'connectionsForAgent'>;
  readonly catalogues: { entriesFor(tenant: string, campaign: string): Promise<CatalogueEntry[]> };
  /** Entries read before by this environment; without it every pop reads them. */
  readonly catalogueCache?: CatalogueCache;
}

export interface PopPlan {
  readonly kind: 'planned';
  /** The connections the pop is pushed to. */
  readonly targets: readonly AgentConnection[];
  /** Of those, how many publish no catalogue. */
  readonly unchecked: number;
  readonly checks: readonly Check[];
}

export const agentNotOnDesktop = (agent: string): Refused =>
  refuse('AgentNotOnDesktop', `Agent "${agent}" is not on the Desktop of any connected Scripting instance.`);

/** One connection's verdict: undefined when it can open the pop (or publishes nothing to check against). */
function verdictOf(
  request: PopRequest,
  target: AgentConnection,
  entries: readonly CatalogueEntry[],
): CheckRefusal | undefined {
  if (target.catalogue === undefined)
    return target.licensed === false ? checkOnInstance(request, undefined, false) : undefined;
  // An entry older than the connection's catalogue is a campaign that catalogue left out (removed later).
  const entry = entries.find((e) => e.connectionId === target.connectionId && e.sequence >= target.catalogue!);
  return checkOnInstance(request, entry?.campaign, target.licensed);
}

/** The plan from what was read: the connections that can open the pop, or the most particular refusal. */
export function planFrom(
  request: PopRequest,
  found: readonly AgentConnection[],
  entries: readonly CatalogueEntry[],
): PopPlan | Refused {
  if (found.length === 0) return agentNotOnDesktop(request.Username);
  const verdicts = found.map((target) => ({ target, refusal: verdictOf(request, target, entries) }));
  const targets = verdicts.filter((v) => v.refusal === undefined).map((v) => v.target);
  if (targets.length === 0) {
    const refusal = mostParticular(verdicts.map((v) => v.refusal!))!;
    return refuse(refusal.code, refusal.message, { details: refusal.details });
  }
  const unchecked = targets.filter((t) => t.catalogue === undefined).length;
  return {
    kind: 'planned',
    targets,
    unchecked,
    checks: unchecked === targets.length ? POP_CHECKS.slice(0, 1) : POP_CHECKS,
  };
}

/** Reads presence and the campaign's catalogue entries (at once, or presence alone when kept entries answer). */
/**
 * The plan without the targets a push would find gone (pusher.ts ProbeConnection): the rule POST /pop applies when its
 * push answers 410 (delivery.ts settle), so POST /pop/validate answers what the pop would. None left: AgentNotOnDesktop.
 */
export async function withoutGone(
  plan: PopPlan | Refused,
  agent: string,
  probe: ((connectionId: string) => Promise<'gone' | 'reachable'>) | undefined,
): Promise<PopPlan | Refused> {
  if (plan.kind === 'refused' || probe === undefined) return plan;
  const answers = await Promise.all(plan.targets.map((target) => probe(target.connectionId)));
  const targets = plan.targets.filter((_, index) => answers[index] !== 'gone');
  if (targets.length === plan.targets.length) return plan;
  if (targets.length === 0) return agentNotOnDesktop(agent);
  const unchecked = targets.filter((t) => t.catalogue === undefined).length;
  return { ...plan, targets, unchecked, checks: unchecked === targets.length ? POP_CHECKS.slice(0, 1) : POP_CHECKS };
}

export async function planPop(deps: PlanDependencies, tenant: string, request: PopRequest): Promise<PopPlan | Refused> {
  const { catalogueCache: cache } = deps;
  const campaign = request.Campaign;
  if (cache === undefined || !cache.has(tenant, campaign)) {
    const [found, entries] = await Promise.all([
      deps.connections.connectionsForAgent(tenant, request.Username),
      deps.catalogues.entriesFor(tenant, campaign),
    ]);
    cache?.remember(tenant, campaign, entries);
    return planFrom(request, found, entries);
  }
  const found = await deps.connections.connectionsForAgent(tenant, request.Username);
  const kept = found.length === 0 ? [] : cache.entriesFor(tenant, campaign, found);
  if (kept !== undefined) return planFrom(request, found, kept);
  const entries = await deps.catalogues.entriesFor(tenant, campaign);
  cache.remember(tenant, campaign, entries, found);
  return planFrom(request, found, entries);
}
