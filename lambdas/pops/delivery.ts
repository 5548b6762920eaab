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

export interface PopDeliveryDeps {
  readonly connections: ConnectionStore;
  readonly pops: PopStore;
  readonly push: PushToConnection;
  readonly claimWindowMs: number;
  readonly retentionMs: number;
  readonly newPopId: () => string;
  readonly now: () => number;
  readonly log: RequestLogger;
  readonly metrics: MetricsSink;
}

export type PopOutcome = { readonly kind: 'accepted'; readonly popId: string } | Refused;

const agentNotOnDesktop = (agent: string) =>
  refuse('AgentNotOnDesktop', `Agent "${agent}" is not on the Desktop of any connected Scripting instance.`);

export async function deliverPop(deps: PopDeliveryDeps, tenant: string, request: PopRequest): Promise<PopOutcome> {
  const { log } = deps;
  const targets = await deps.connections.connectionsForAgent(tenant, request.Username);
  if (targets.length === 0) {
    log.warn('Pop refused', { reason: 'AgentNotOnDesktop', agent: request.Username, campaign: request.Campaign });
    return agentNotOnDesktop(request.Username);
  }
  const popId = deps.newPopId();
  log.appendKeys({ popId });
  const claimed = await claimRecordOf(deps, tenant, request, popId);
  if (claimed) return claimed;
  const sentAt = new Date(deps.now()).toISOString();
  await storePop(deps, tenant, request, popId, sentAt, targets);
  const pushed = await pushToAll(deps, targets, popMessage(request, popId, sentAt));
  return settle(deps, { tenant, PopId: popId, Campaign: request.Campaign, Reference: request.Reference, Username: request.Username }, targets, pushed);
}

/** The record claim of a pop with a Reference; an outcome when the pop must stop here. */
async function claimRecordOf(deps: PopDeliveryDeps, tenant: string, request: PopRequest, popId: string): Promise<PopOutcome | undefined> {
  if (request.Reference === undefined) return undefined;
  const record = { tenant, campaign: request.Campaign, reference: request.Reference, username: request.Username };
  const claim = await claimFor(deps, record, popId);
  switch (claim.kind) {
    case 'claimed':
      return undefined;
    case 'repeat':
      deps.log.info('Pop repeated inside the claim window; nothing pushed', { firstPopId: claim.popId });
      return { kind: 'accepted', popId: claim.popId };
    case 'inProgress':
      return refuse('RequestInProgress', 'The same pop is still being processed; retry in a moment.', { retryAfterSeconds: 1 });
    case 'heldByOtherUser':
      deps.log.warn('Pop refused', { reason: 'RecordOpenElsewhere', agent: request.Username, campaign: request.Campaign });
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
  };
  try {
    await deps.pops.putPop(pop, deps.retentionMs);
  } catch (error) {
    // Nothing was pushed: give the claim back at once if the table lets us, so the caller's retry is not held up.
    await releaseClaimOf(deps.pops, pop).catch(() => undefined);
    throw error;
  }
}

const popMessage = (request: PopRequest, popId: string, sentAt: string): PopMessage => ({
  Type: 'Pop',
  PopId: popId,
  Username: request.Username,
  Campaign: request.Campaign,
  ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
  ScriptData: request.ScriptData ?? {},
  SentAt: sentAt,
});

interface Pushed {
  readonly sentTo: string[];
  readonly gone: string[];
  readonly failures: number;
}

/** Push to every target at once; a gone connection is removed with its presence. */
async function pushToAll(deps: PopDeliveryDeps, targets: readonly AgentConnection[], message: PopMessage): Promise<Pushed> {
  const payload = JSON.stringify(message);
  const outcomes = await Promise.allSettled(targets.map((t) => deps.push(t.connectionId, payload)));
  const pushed: Pushed = { sentTo: [], gone: [], failures: 0 };
  outcomes.forEach((outcome, index) => {
    const connectionId = targets[index]!.connectionId;
    if (outcome.status === 'fulfilled') (outcome.value === 'sent' ? pushed.sentTo : pushed.gone).push(connectionId);
    else {
      (pushed as { failures: number }).failures++;
      deps.log.warn('Push to a connection failed', { connectionId, reason: (outcome.reason as Error)?.name });
    }
  });
  if (pushed.gone.length > 0) {
    await Promise.all(pushed.gone.map((id) => deps.connections.removeConnection(id)));
    deps.log.info('Stale connections removed', { count: pushed.gone.length });
    deps.metrics.count(METRIC.staleConnectionsRemoved, pushed.gone.length);
  }
  return pushed;
}

/** Record what delivery achieved: accepted if at least one connection took the pop, else Failed and the claim freed. */
async function settle(
  deps: PopDeliveryDeps,
  pop: { tenant: string; PopId: string; Campaign: string; Reference?: string; Username: string },
  targets: readonly AgentConnection[],
  pushed: Pushed,
): Promise<PopOutcome> {
  const { log } = deps;
  if (pushed.sentTo.length === 0) {
    const reason = pushed.failures > 0 ? 'Undeliverable' : 'AgentNotOnDesktop';
    await deps.pops.recordDelivery(pop.tenant, pop.PopId, [], reason);
    await releaseClaimOf(deps.pops, pop);
    log.warn('Pop not delivered', { reason, agent: pop.Username, campaign: pop.Campaign });
    if (pushed.failures > 0) return refusals.serviceUnavailable("The pop could not be delivered to the agent's Scripting instance; retry shortly.");
    return agentNotOnDesktop(pop.Username);
  }
  if (pushed.sentTo.length !== targets.length) await deps.pops.recordDelivery(pop.tenant, pop.PopId, pushed.sentTo);
  log.info('Pop sent', { agent: pop.Username, campaign: pop.Campaign, connections: pushed.sentTo.length });
  deps.metrics.count(METRIC.popsAccepted);
  deps.metrics.count(METRIC.popsPushed, pushed.sentTo.length);
  return { kind: 'accepted', popId: pop.PopId };
}
