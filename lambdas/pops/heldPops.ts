/**
 * Pops that wait for their agent (docs/held-pops.md). POST /pop with HoldSeconds for an agent on no Desktop stores the
 * pop Held (`holdPop`); when an instance reports the agent (Desktop, Login) its held pops are delivered in the order
 * they were accepted (`deliverHeldFor`), each by exactly one caller (the conditional Held -> Sent of
 * heldPopStore.ts), with the checks, licence and record claim of that moment; at its deadline a held pop becomes
 * Expired (`expireHeld`, run by the hold timer, holdExpiry.ts), and it is never pushed at or after it.
 */
import type { ErrorCode } from '../../contract/errors';
import type { PopRequest } from '../../contract/rest';
import type { PopReason } from '../../contract/statuses';
import { refuse, type Refused } from '../shared/outcome';
import { claimFor, IN_FLIGHT_GRACE_MS } from './claims';
import { deliverPop, popMessage, pushToAll, settle, type PopDeliveryDeps, type PopOutcome } from './delivery';
import type { HeldPop, HeldPopStore, HeldTurn } from './heldPopStore';
import { planPop } from './popPlan';
import type { StoredPop } from './popStore';
import { instanceKey } from './status';

/** Delivering held pops: a pop's dependencies and the held pops' store. */
export interface HeldDeliveryDeps extends PopDeliveryDeps {
  readonly held: HeldPopStore;
}

/** Holding a pop needs no more: its timer is started by the stream function when the Held pop is stored (holdTimer.ts). */
export type HoldDeps = HeldDeliveryDeps;

/** What a check that fails when the agent appears makes of the held pop: Failed with this Reason. */
const REASON_OF: Partial<Record<ErrorCode, PopReason>> = {
  NoLicence: 'NoLicence',
  CampaignNotFound: 'UnknownCampaign',
  CampaignInactive: 'CampaignInactive',
  ReferenceRequired: 'RecordCreationNotAllowed',
  ScriptDataRejected: 'ScriptDataRejected',
  RecordOpenElsewhere: 'RecordOpenElsewhere',
};

/**
 * POST /pop: deliver as always; only when the agent is on no Desktop and the pop gives HoldSeconds is it held. A pop
 * to a present agent costs exactly what it did (deliverPop alone).
 */
export async function popOrHold(deps: HoldDeps, tenant: string, request: PopRequest): Promise<PopOutcome> {
  const outcome = await deliverPop(deps, tenant, request);
  if (outcome.kind !== 'refused' || outcome.code !== 'AgentNotOnDesktop' || request.HoldSeconds === undefined)
    return outcome;
  return holdPop(deps, tenant, request, request.HoldSeconds);
}

/**
 * Store the pop Held. Written in this order so a crash anywhere leaves nothing deliverable twice: the record lock, the
 * turn (found by the agent's appearance), then the pop, whose stream record starts its timer (holdTimer.ts). A Login that wrote its presence
 * after this pop read it and read the turns before they were written would miss the pop, so the agent's presence is
 * read again last and the pop delivered if the agent has appeared meanwhile.
 */
export async function holdPop(
  deps: HoldDeps,
  tenant: string,
  request: PopRequest,
  holdSeconds: number,
): Promise<PopOutcome> {
  const acceptedAt = deps.now();
  const pop: HeldPop = {
    tenant,
    PopId: deps.newPopId(),
    Username: request.Username,
    Campaign: request.Campaign,
    ...(request.Reference !== undefined ? { Reference: request.Reference } : {}),
    ...(request.ScriptData !== undefined ? { ScriptData: request.ScriptData } : {}),
    acceptedAt,
    holdUntil: acceptedAt + holdSeconds * 1000,
  };
  deps.log.appendKeys({ popId: pop.PopId });
  const repeat = pop.Reference === undefined ? undefined : await lockRecordOf(deps, pop);
  if (repeat) return repeat;
  await deps.held.putTurn(pop);
  await deps.held.putHeldPop(pop, deps.retentionMs);
  deps.log.info('Pop held: the agent is on no Desktop', { agent: pop.Username, holdSeconds });
  if ((await deps.connections.connectionsForAgent(tenant, pop.Username)).length > 0)
    await deliverHeldFor(deps, tenant, pop.Username);
  return { kind: 'held', popId: pop.PopId };
}

/** The same agent and record already held: its PopId. A lock whose pop has left Held is taken over. */
async function lockRecordOf(deps: HeldDeliveryDeps, pop: HeldPop): Promise<PopOutcome | undefined> {
  const now = deps.now();
  const lock = await deps.held.lockRecord(pop, now);
  if (lock.kind === 'locked') return undefined;
  const first = await deps.pops.getPop(pop.tenant, lock.popId);
  if (first?.Status === 'Held') {
    deps.log.info('Pop repeated while held', { firstPopId: lock.popId });
    return { kind: 'held', popId: lock.popId };
  }
  if (!first && now - lock.lockedAt < IN_FLIGHT_GRACE_MS) return inProgress();
  if (await deps.held.takeOverRecord(pop, lock.popId, now)) return undefined;
  return inProgress();
}

const inProgress = (): Refused =>
  refuse('RequestInProgress', 'The same pop is still being held; retry in a moment.', { retryAfterSeconds: 1 });

/**
 * After a Desktop list: deliver the held pops of the tenant's agents now on a Desktop. One Query of the tenant's held
 * pops, nothing more when none is held; then one presence read per agent with held pops, and only a present agent's
 * pops are read further.
 */
export async function deliverHeldOnDesktop(deps: HeldDeliveryDeps, tenant: string): Promise<number> {
  const turns = await deps.held.turnsOfTenant(tenant);
  if (turns.length === 0) return 0;
  const byAgent = new Map<string, HeldTurn[]>();
  for (const turn of turns) byAgent.set(turn.agent, [...(byAgent.get(turn.agent) ?? []), turn]);
  const agents = [...byAgent];
  let next = 0;
  let pushed = 0;
  // A few agents at once (each agent's pops one after another): a tenant with thousands held opens no thousand requests.
  const lane = async () => {
    while (next < agents.length) {
      const [agent, own] = agents[next++]!;
      if ((await deps.connections.connectionsForAgent(tenant, agent)).length > 0)
        pushed += await deliverTurns(deps, own);
    }
  };
  await Promise.all(Array.from({ length: Math.min(DESKTOP_AGENTS_AT_ONCE, agents.length) }, lane));
  return pushed;
}

/** Agents whose held pops one Desktop list delivers at once: well inside the SDK's 50 sockets. */
const DESKTOP_AGENTS_AT_ONCE = 8;

/** Deliver the agent's held pops, oldest first; returns how many were pushed. */
export async function deliverHeldFor(deps: HeldDeliveryDeps, tenant: string, agent: string): Promise<number> {
  return deliverTurns(deps, await deps.held.turnsOf(tenant, agent));
}

/**
 * One agent's turns in order. A turn this caller cannot take (another caller is delivering it, or the agent left)
 * stops the walk: whoever holds it goes on in order, so no later pop overtakes an earlier one.
 */
async function deliverTurns(deps: HeldDeliveryDeps, turns: readonly HeldTurn[]): Promise<number> {
  let pushed = 0;
  for (const turn of turns) {
    const step = await deliverTurn(deps, turn);
    if (step === 'stop') break;
    if (step === 'pushed') pushed++;
  }
  return pushed;
}

type Step = 'pushed' | 'next' | 'stop';

async function deliverTurn(deps: HeldDeliveryDeps, turn: HeldTurn): Promise<Step> {
  const now = deps.now();
  const pop = await deps.pops.getPop(turn.tenant, turn.popId);
  if (!pop) {
    // Its POST /pop is still writing it (it reads presence again when done), or it died before: then forget it.
    if (now - turn.acceptedAt < IN_FLIGHT_GRACE_MS) return 'stop';
    await deps.held.forget(turn);
    return 'next';
  }
  if (pop.Status !== 'Held') {
    await deps.held.forget(turn);
    return 'next';
  }
  if (turn.holdUntil <= now) {
    await expireHeld(deps, turn);
    return 'next';
  }
  return pushHeld(deps, turn, pop);
}

/** Plan, take the pop (Held -> Sent), claim its record, push, settle: a normal pop's steps at this moment. */
async function pushHeld(deps: HeldDeliveryDeps, turn: HeldTurn, pop: StoredPop): Promise<Step> {
  const scriptData = await deps.held.scriptDataOf(turn.tenant, turn.popId);
  const request: PopRequest = {
    Username: pop.Username,
    Campaign: pop.Campaign,
    ...(pop.Reference !== undefined ? { Reference: pop.Reference } : {}),
    ...(scriptData !== undefined ? { ScriptData: scriptData } : {}),
  };
  const plan = await planPop(deps, turn.tenant, request);
  if (plan.kind === 'refused') {
    if (plan.code === 'AgentNotOnDesktop') return 'stop';
    return failHeld(deps, turn, REASON_OF[plan.code] ?? 'Undeliverable');
  }
  const { targets } = plan;
  const to = { sentTo: targets.map((t) => t.connectionId), sentToInstances: [...new Set(targets.map(instanceKey))] };
  const now = deps.now();
  if (!(await deps.held.startDelivery(turn.tenant, turn.popId, to, now))) {
    // Another caller took it, or its deadline passed between the read and this write.
    return (await deps.pops.getPop(turn.tenant, turn.popId))?.Status === 'Sent' ? 'stop' : deliverTurn(deps, turn);
  }
  const record = { tenant: turn.tenant, campaign: pop.Campaign, username: pop.Username };
  if (pop.Reference !== undefined) {
    const claim = await claimFor(deps, { ...record, reference: pop.Reference }, turn.popId);
    // The same agent holding the record (a pop sent since it appeared) is no reason to keep this one back.
    if (claim.kind === 'heldByOtherUser') {
      await deps.pops.recordDelivery(turn.tenant, turn.popId, { ...to, failureReason: 'RecordOpenElsewhere' });
      await deps.held.forget(turn);
      return 'next';
    }
  }
  const sentAt = new Date(now).toISOString();
  const pushed = await pushToAll(deps, targets, popMessage(request, turn.popId, sentAt));
  await settle(deps, { tenant: turn.tenant, PopId: turn.popId, ...request }, targets, pushed);
  await deps.held.forget(turn);
  deps.log.info('Held pop delivered', { popId: turn.popId, agent: pop.Username, connections: pushed.sentTo.length });
  return 'pushed';
}

async function failHeld(deps: HeldDeliveryDeps, turn: HeldTurn, reason: PopReason): Promise<Step> {
  if (await deps.held.end(turn.tenant, turn.popId, 'Failed', reason, deps.now()))
    deps.log.warn('Held pop failed when its agent appeared', { popId: turn.popId, reason });
  await deps.held.forget(turn);
  return 'next';
}

/**
 * Held -> Expired once its deadline has passed. A pop delivered, recalled or expired before is left as it is; its turn
 * is forgotten either way. 'notDue': still Held before its deadline (nothing changed).
 */
export async function expireHeld(
  deps: Pick<HeldDeliveryDeps, 'held' | 'pops' | 'now' | 'log'>,
  turn: HeldTurn,
): Promise<'expired' | 'notHeld' | 'notDue'> {
  const expired = await deps.held.end(turn.tenant, turn.popId, 'Expired', 'HoldExpired', deps.now(), turn.holdUntil);
  if (!expired && (await deps.pops.getPop(turn.tenant, turn.popId))?.Status === 'Held') return 'notDue';
  await deps.held.forget(turn);
  if (expired) deps.log.info('Held pop expired', { popId: turn.popId, agent: turn.agent });
  return expired ? 'expired' : 'notHeld';
}
