/**
 * How a pop is routed: to every connection of the caller's tenant that holds the agent's Desktop (one Query on the
 * agent's presence, lambdas/presence/connectionStore.ts). Order matters: find the agent, claim the record
 * (claims.ts), store the pop (so acks that arrive at once find it), push in parallel, then clean up connections that
 * are gone. Returns a typed outcome; lambdas/pops/popHandler.ts turns it into the answer.
 */
import type { PopMessage } from '../../contract/webSocket';
import type { PopRequest } from '../../contract/rest';
import type { RequestLogger } from '../shared/logger';
import { METRIC } from '../shared/metricNames';
import type { MetricsSink } from '../shared/metrics';
import { refuse, refusals, type Refused } from '../shared/outcome';
import type { AgentConnection, ConnectionStore } from '../presence/connectionStore';
import { claimFor, releaseClaimOf } from './claims';
import type { PopStore } from './popStore';
import type { PushToConnection } from './pusher';
import { instanceKey } from './status';
import { agentNotOnDesktop, planPop, type PlanDependencies } from './popPlan';

export interface PopDeliveryDeps {
  readonly connections: ConnectionStore;
  readonly catalogues: PlanDependencies['catalogues'];
  readonly catalogueCache?: PlanDependencies['catalogueCache'];
  readonly pops: PopStore;
  readonly push: PushToConnection;
  readonly claimWindowMs: number;
  readonly retentionMs: number;
  readonly newPopId: () => string;
  readonly now: () => number;
  readonly log: RequestLogger;
  readonly metrics: MetricsSink;
}

export type PopOutcome =
  | { readonly kind: 'accepted'; readonly popId: string }
  /**
   * Pushed, but no push was answered (pusher.ts `unknown`): the instance may have the pop. It stays Sent with its
   * claim, a later Ack settles it, and a retry of the same pop gets this PopId and pushes it again (confirmPop).
   */
  | { readonly kind: 'unconfirmed'; readonly popId: string }
  /** The agent is on no Desktop and the pop asked to wait: stored Held (heldPops.ts). */
  | { readonly kind: 'held'; readonly popId: string }
  | Refused;

export async function deliverPop(deps: PopDeliveryDeps, tenant: string, request: PopRequest): Promise<PopOutcome> {
  const { log } = deps;
  const plan = await planPop(deps, tenant, request);
  if (plan.kind === 'refused') {
    // A pop that asked to wait for an absent agent is held next (heldPops.ts popOrHold), not refused.
    if (plan.code !== 'AgentNotOnDesktop' || request.HoldSeconds === undefined)
      log.warn('Pop refused', { reason: plan.code, agent: request.Username, campaign: request.Campaign });
    return plan;
  }
  const { targets } = plan;
  const popId = deps.newPopId();
  log.appendKeys({ popId });
  const claimed = await claimRecordOf(deps, tenant, request, popId, targets);
  if (claimed) return claimed;
  const sentAt = new Date(deps.now()).toISOString();
  await storePop(deps, tenant, request, popId, sentAt, targets);
  const pushed = await pushToAll(deps, targets, popMessage(request, popId, sentAt));
  return settle(
    deps,
    { tenant, PopId: popId, Campaign: request.Campaign, Reference: request.Reference, Username: request.Username },
    targets,
    pushed,
  );
}

/**
 * A repeat of a pop already stored (same agent and record inside the claim window, or the same Idempotency-Key). A
 * pop whose pushes all went unanswered and that no instance has acknowledged is pushed again under its own PopId, so
 * a push that was in fact lost is made good and one that arrived is not opened twice (the instance remembers PopIds,
 * instance/connector.ts). Any other pop is answered with its PopId and nothing is pushed.
 */
export async function confirmPop(
  deps: PopDeliveryDeps,
  tenant: string,
  request: PopRequest,
  popId: string,
  targets?: readonly AgentConnection[],
): Promise<PopOutcome> {
  const pop = await deps.pops.getPop(tenant, popId);
  if (!pop || !pop.unconfirmed || pop.Status !== 'Sent') return { kind: 'accepted', popId };
  deps.log.info('Repeat of a pop whose delivery is unconfirmed; pushing it again', { firstPopId: popId });
  const reach = targets ?? (await deps.connections.connectionsForAgent(tenant, request.Username));
  const pushed = await pushToAll(deps, reach, popMessage(request, popId, pop.CreatedAt));
  const reached = reach.filter(
    (t) => pushed.sentTo.includes(t.connectionId) || pushed.unknown.includes(t.connectionId),
  );
  const confirmed = pushed.sentTo.length > 0;
  await deps.pops.recordDelivery(tenant, popId, {
    sentTo: union(
      pop.sentTo,
      reached.map((t) => t.connectionId),
    ),
    sentToInstances: union(pop.sentToInstances, reached.map(instanceKey)),
    unconfirmed: !confirmed,
  });
  if (!confirmed) return { kind: 'unconfirmed', popId };
  deps.metrics.count({ [METRIC.popsPushed]: pushed.sentTo.length });
  return { kind: 'accepted', popId };
}

const union = (a: readonly string[], b: readonly string[]): string[] => [...new Set([...a, ...b])];

/** The record claim of a pop with a Reference; an outcome when the pop must stop here. */
async function claimRecordOf(
  deps: PopDeliveryDeps,
  tenant: string,
  request: PopRequest,
  popId: string,
  targets: readonly AgentConnection[],
): Promise<PopOutcome | undefined> {
  if (request.Reference === undefined) return undefined;
  const record = { tenant, campaign: request.Campaign, reference: request.Reference, username: request.Username };
  const claim = await claimFor(deps, record, popId);
  switch (claim.kind) {
    case 'claimed':
      return undefined;
    case 'repeat':
      deps.log.info('Pop repeated inside the claim window', { firstPopId: claim.popId });
      return confirmPop(deps, tenant, request, claim.popId, targets);
    case 'inProgress':
      return refuse('RequestInProgress', 'The same pop is still being processed; retry in a moment.', {
        retryAfterSeconds: 1,
      });
    case 'heldByOtherUser':
      deps.log.warn('Pop refused', {
        reason: 'RecordOpenElsewhere',
        agent: request.Username,
        campaign: request.Campaign,
      });
      return refuse(
        'RecordOpenElsewhere',
        `Record "${request.Reference}" of campaign "${request.Campaign}" was just popped for another agent; retry after the claim window.`,
      );
  }
}

async function storePop(
  deps: PopDeliveryDeps,
  tenant: string,
  request: PopRequest,
  popId: string,
  sentAt: string,
  targets: readonly AgentConnection[],
): Promise<void> {
  const pop = {
    tenant,
    PopId: popId,
    Username: request.Username,
    Campaign: request.Campaign,
    ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
    Status: 'Sent' as const,
    CreatedAt: sentAt,
    UpdatedAt: sentAt,
    sentTo: targets.map((t) => t.connectionId),
    sentToInstances: union([], targets.map(instanceKey)),
  };
  try {
    await deps.pops.putPop(pop, deps.retentionMs);
  } catch (error) {
    // Nothing was pushed: give the claim back at once if the table lets us, so the caller's retry is not held up.
    await releaseClaimOf(deps.pops, pop).catch(() => undefined);
    throw error;
  }
}

export const popMessage = (request: PopRequest, popId: string, sentAt: string): PopMessage => ({
  Type: 'Pop',
  PopId: popId,
  Username: request.Username,
  Campaign: request.Campaign,
  ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
  ScriptData: request.ScriptData ?? {},
  SentAt: sentAt,
});

export interface Pushed {
  readonly sentTo: string[];
  /** Pushes without an answer: the connection may have the pop. */
  readonly unknown: string[];
  readonly gone: string[];
  readonly failures: number;
}

/** Push to every target at once; a gone connection is removed with its presence. */
export async function pushToAll(
  deps: PopDeliveryDeps,
  targets: readonly AgentConnection[],
  message: PopMessage,
): Promise<Pushed> {
  const payload = JSON.stringify(message);
  const outcomes = await Promise.allSettled(targets.map((t) => deps.push(t.connectionId, payload)));
  const pushed: Pushed = { sentTo: [], unknown: [], gone: [], failures: 0 };
  const byOutcome = { sent: pushed.sentTo, unknown: pushed.unknown, gone: pushed.gone };
  outcomes.forEach((outcome, index) => {
    const connectionId = targets[index]!.connectionId;
    if (outcome.status === 'fulfilled') {
      byOutcome[outcome.value].push(connectionId);
      if (outcome.value === 'unknown')
        deps.log.warn('Push to a connection went unanswered; it may have arrived', { connectionId });
    } else {
      (pushed as { failures: number }).failures++;
      deps.log.warn('Push to a connection failed', { connectionId, reason: (outcome.reason as Error)?.name });
    }
  });
  if (pushed.gone.length > 0) {
    await Promise.all(pushed.gone.map((id) => deps.connections.removeConnection(id)));
    deps.log.info('Stale connections removed', { count: pushed.gone.length });
    deps.metrics.count({ [METRIC.staleConnectionsRemoved]: pushed.gone.length });
  }
  return pushed;
}

/** Record what delivery achieved: accepted if at least one connection took the pop, else Failed and the claim freed. */
export async function settle(
  deps: PopDeliveryDeps,
  pop: { tenant: string; PopId: string; Campaign: string; Reference?: string; Username: string },
  targets: readonly AgentConnection[],
  pushed: Pushed,
): Promise<PopOutcome> {
  const { log } = deps;
  // A push without an answer may have arrived: its connection stays among those that may acknowledge the pop.
  const reached = targets.filter(
    (t) => pushed.sentTo.includes(t.connectionId) || pushed.unknown.includes(t.connectionId),
  );
  if (pushed.sentTo.length === 0 && reached.length > 0) {
    const sentTo = reached.map((t) => t.connectionId);
    await deps.pops.recordDelivery(pop.tenant, pop.PopId, {
      sentTo,
      sentToInstances: union([], reached.map(instanceKey)),
      unconfirmed: true,
    });
    log.warn('Pop pushed, delivery unconfirmed; kept Sent with its claim', {
      agent: pop.Username,
      campaign: pop.Campaign,
      connections: sentTo.length,
    });
    return { kind: 'unconfirmed', popId: pop.PopId };
  }
  if (pushed.sentTo.length === 0) {
    const reason = pushed.failures > 0 ? 'Undeliverable' : 'AgentNotOnDesktop';
    await deps.pops.recordDelivery(pop.tenant, pop.PopId, { sentTo: [], sentToInstances: [], failureReason: reason });
    await releaseClaimOf(deps.pops, pop);
    log.warn('Pop not delivered', { reason, agent: pop.Username, campaign: pop.Campaign });
    if (pushed.failures > 0)
      return refusals.serviceUnavailable(
        "The pop could not be delivered to the agent's Scripting instance; retry shortly.",
      );
    return agentNotOnDesktop(pop.Username);
  }
  if (reached.length !== targets.length) {
    await deps.pops.recordDelivery(pop.tenant, pop.PopId, {
      sentTo: reached.map((t) => t.connectionId),
      sentToInstances: union([], reached.map(instanceKey)),
    });
  }
  log.info('Pop sent', { agent: pop.Username, campaign: pop.Campaign, connections: pushed.sentTo.length });
  deps.metrics.count({ [METRIC.popsAccepted]: 1, [METRIC.popsPushed]: pushed.sentTo.length });
  return { kind: 'accepted', popId: pop.PopId };
}
