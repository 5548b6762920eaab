import { ApiError, apiErrors } from '../shared/apiError';
import type { RequestLogger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import type { ConnectionStore } from '../store/connectionStore';
import type { PopStore } from '../store/popStore';
import type { PushToConnection } from './popPusher';
import type { PopRequest } from './schemas';

export interface PopDeliveryDeps {
  readonly connections: ConnectionStore;
  readonly pops: PopStore;
  readonly push: PushToConnection;
  readonly claimWindowMs: number;
  readonly retentionMs: number;
  readonly newPopId: () => string;
  readonly now: () => number;
  readonly log: RequestLogger;
}

export interface PopAccepted {
  readonly PopId: string;
  readonly Status: 'Sent';
}

/** What an instance receives (CONTRACT.md, server -> client). */
export interface PopMessage {
  readonly Type: 'Pop';
  readonly PopId: string;
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly ScriptData: Readonly<Record<string, string | number | boolean>>;
  readonly SentAt: string;
}

/** Longer than any pop request can run (the function's timeout is 10 s, API Gateway's limit 29 s). */
export const IN_FLIGHT_GRACE_MS = 30_000;

const agentNotOnDesktop = (agent: string) =>
  new ApiError(404, 'AgentNotOnDesktop', `Agent "${agent}" is not on the Desktop of any connected Scripting instance.`);

/**
 * Route one pop to every connection of the caller's tenant that holds the agent's Desktop.
 * Order matters: find the agent (one Query), claim the record (one conditional write), store the pop (so acks that
 * arrive at once find it), push in parallel, then clean up connections that are gone.
 */
export async function deliverPop(deps: PopDeliveryDeps, tenant: string, request: PopRequest): Promise<PopAccepted> {
  const { log } = deps;
  const targets = await deps.connections.connectionsForAgent(tenant, request.Username);
  if (targets.length === 0) {
    log.warn('Pop refused', { reason: 'AgentNotOnDesktop', agent: request.Username, campaign: request.Campaign });
    throw agentNotOnDesktop(request.Username);
  }

  const popId = deps.newPopId();
  log.appendKeys({ popId });
  if (request.Reference !== undefined) {
    const claimRecord = () =>
      deps.pops.claimRecord({
        tenant,
        campaign: request.Campaign,
        reference: request.Reference!,
        username: request.Username,
        popId,
        windowMs: deps.claimWindowMs,
      });
    let claim = await claimRecord();
    if (claim.kind === 'heldBySameUser' && !(await deps.pops.getPop(tenant, claim.popId))) {
      // The same agent holds the claim but its pop is not stored: either the first attempt is still between its claim
      // and its store (a duplicate racing it must not push twice), or it failed there (the table failed; the caller
      // retries as its 503 said) and the claim is an orphan. No attempt outlives the function's timeout, so a claim
      // older than that is an orphan: give it back and claim again, or this retry would answer 202 with a PopId that
      // never existed and push nothing.
      if (deps.now() - claim.claimedAt < IN_FLIGHT_GRACE_MS) {
        log.info('Same pop still in progress', { firstPopId: claim.popId });
        throw new ApiError(409, 'RequestInProgress', 'The same pop is still being processed; retry in a moment.', [], {
          'Retry-After': '1',
        });
      }
      log.warn('Orphan record claim released', { orphanPopId: claim.popId });
      await deps.pops.releaseClaim(tenant, request.Campaign, request.Reference, claim.popId);
      claim = await claimRecord();
    }
    if (claim.kind === 'heldBySameUser') {
      log.info('Pop repeated inside the claim window; nothing pushed', { firstPopId: claim.popId });
      return { PopId: claim.popId, Status: 'Sent' };
    }
    if (claim.kind === 'heldByOtherUser') {
      log.warn('Pop refused', { reason: 'RecordOpenElsewhere', agent: request.Username, campaign: request.Campaign });
      throw new ApiError(
        409,
        'RecordOpenElsewhere',
        `Record "${request.Reference}" of campaign "${request.Campaign}" was just popped for another agent; retry after the claim window.`,
      );
    }
  }

  const sentAt = new Date(deps.now()).toISOString();
  const storePop = deps.pops.putPop(
    {
      tenant,
      PopId: popId,
      Username: request.Username,
      Campaign: request.Campaign,
      ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
      Status: 'Sent',
      CreatedAt: sentAt,
      UpdatedAt: sentAt,
      sentTo: targets.map((t) => t.connectionId),
    },
    deps.retentionMs,
  );
  try {
    await storePop;
  } catch (error) {
    // Nothing was pushed: give the claim back at once if the table lets us, so the caller's retry is not held up.
    if (request.Reference !== undefined) {
      await deps.pops.releaseClaim(tenant, request.Campaign, request.Reference, popId).catch(() => undefined);
    }
    throw error;
  }

  const message: PopMessage = {
    Type: 'Pop',
    PopId: popId,
    Username: request.Username,
    Campaign: request.Campaign,
    ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
    ScriptData: request.ScriptData ?? {},
    SentAt: sentAt,
  };
  const payload = JSON.stringify(message);
  const outcomes = await Promise.allSettled(targets.map((t) => deps.push(t.connectionId, payload)));

  const sentTo: string[] = [];
  const gone: string[] = [];
  let failures = 0;
  outcomes.forEach((outcome, index) => {
    const connectionId = targets[index]!.connectionId;
    if (outcome.status === 'fulfilled' && outcome.value === 'sent') sentTo.push(connectionId);
    else if (outcome.status === 'fulfilled') gone.push(connectionId);
    else {
      failures++;
      log.warn('Push to a connection failed', { connectionId, reason: (outcome.reason as Error)?.name });
    }
  });
  if (gone.length > 0) {
    await Promise.all(gone.map((id) => deps.connections.removeConnection(id)));
    log.info('Stale connections removed', { count: gone.length });
    // Metrics (platform, issue 7): EMF lines on the request log, see lambdas/shared/metrics.ts.
    countMetric(log, METRIC.staleConnectionsRemoved, gone.length);
  }

  if (sentTo.length === 0) {
    const reason = failures > 0 ? 'Undeliverable' : 'AgentNotOnDesktop';
    await deps.pops.recordDelivery(tenant, popId, [], reason);
    if (request.Reference !== undefined) {
      await deps.pops.releaseClaim(tenant, request.Campaign, request.Reference, popId);
    }
    log.warn('Pop not delivered', { reason, agent: request.Username, campaign: request.Campaign });
    if (failures > 0) throw apiErrors.serviceUnavailable('The pop could not be delivered to the agent\'s Scripting instance; retry shortly.');
    throw agentNotOnDesktop(request.Username);
  }
  if (sentTo.length !== targets.length) await deps.pops.recordDelivery(tenant, popId, sentTo);
  log.info('Pop sent', { agent: request.Username, campaign: request.Campaign, connections: sentTo.length });
  // Metrics (platform, issue 7): one accepted pop, and how many connections it was pushed to.
  countMetric(log, METRIC.popsAccepted);
  countMetric(log, METRIC.popsPushed, sentTo.length);
  return { PopId: popId, Status: 'Sent' };
}
