/**
 * A pop's status, as a pure function: what one instance's Ack does to a pop, and what a recall may do. Status only
 * moves forward ([Held ->] Sent -> Delivered -> Opened | Unchanged | Failed | Recalled); only an instance the pop was sent to may acknowledge it, from
 * the connection the pop was pushed to or from a later one of the same instance (tenant, instance user and instance
 * name: the reference instance sends the acks it could not send before a reconnect on its next connection); a pop
 * pushed to several instances (the agent is on more than one Desktop) is Opened as soon as one opens it, and Failed
 * only once every instance it was sent to has failed it: one instance's NoLicence must not hide another's Opened, nor
 * give the record claim back while the record is open there. acknowledge.ts persists what this decides.
 */
import type { AckStatus, PopStatus } from '../../contract/statuses';
import type { PopChange } from './popStore';

/**
 * Which statuses an acknowledgement may move a pop from. Recalled is final and only the API sets it (`recallOf`): an
 * instance's `Recalled` confirms it and moves nothing. An `Opened` after Recalled (the instance opened the pop before
 * the Recall reached it) changes nothing either: the caller was told Recalled and the record claim was already given
 * back, perhaps taken by another agent, so the pop cannot become Opened again. ackHandler.ts logs it at Warn.
 */
export const MAY_FOLLOW: Readonly<Record<AckStatus, readonly PopStatus[]>> = {
  Delivered: ['Sent'],
  Opened: ['Sent', 'Delivered'],
  Unchanged: ['Sent', 'Delivered'],
  Failed: ['Sent', 'Delivered'],
  Recalled: [],
};

/** What DELETE /pops/{PopId} may do with a pop in this status. */
export type RecallDecision =
  | { readonly kind: 'recall' }
  /** Recalled before: the same answer again, nothing pushed. */
  | { readonly kind: 'alreadyRecalled' }
  | { readonly kind: 'alreadyOpened' }
  /** Unchanged or Failed: the pop is over, nothing to recall. */
  | { readonly kind: 'alreadyFinal'; readonly status: PopStatus };

export function recallOf(pop: Pick<PopState, 'Status'>): RecallDecision {
  switch (pop.Status) {
    // A held pop was pushed nowhere: Recalled, it is never delivered (heldPops.ts takes only a pop still Held).
    case 'Held':
    case 'Sent':
    case 'Delivered':
      return { kind: 'recall' };
    case 'Recalled':
      return { kind: 'alreadyRecalled' };
    case 'Opened':
      return { kind: 'alreadyOpened' };
    default:
      return { kind: 'alreadyFinal', status: pop.Status };
  }
}

/** The part of a pop its status depends on. */
export interface PopState {
  readonly Status: PopStatus;
  readonly sentTo: readonly string[];
  /**
   * Who may acknowledge: the instance key (`instanceKey`) of each connection the pop was pushed to. Empty for pops
   * stored before instances were recorded: then only the connection ids in `sentTo` may.
   */
  readonly sentToInstances?: readonly string[];
  /** Instance keys (or, for older pops, connection ids) that reported Failed. */
  readonly failedBy: readonly string[];
}

/**
 * One Scripting instance, whatever its connection: tenant (the pop's own, implied), instance user and instance name.
 * A connection known only by its id (a presence item without its user) stands for itself.
 */
export function instanceKey(target: {
  readonly connectionId: string;
  readonly username?: string;
  readonly instance?: string;
}): string {
  if (target.username === undefined || target.instance === undefined) return `connection:${target.connectionId}`;
  return `instance:${encodeURIComponent(target.username)}/${encodeURIComponent(target.instance)}`;
}

export interface Ack {
  readonly connectionId: string;
  /** The acknowledging connection's `instanceKey`. */
  readonly instance?: string;
  readonly status: AckStatus;
  /** Required with Failed (the message schema's rule, checked in ackHandler.ts). */
  readonly reason?: string;
}

export type Transition =
  /** The pop moves: store `change`. */
  | { readonly kind: 'move'; readonly change: PopChange & { readonly status: PopStatus } }
  /** This connection failed the pop, but another connection it was sent to has not failed it (yet). */
  | { readonly kind: 'noteFailure'; readonly change: PopChange }
  /** The same ack again: nothing changes. */
  | { readonly kind: 'unchanged' }
  /** The pop has moved past what this ack could change (another instance answered first). */
  | { readonly kind: 'alreadyFinal'; readonly status: PopStatus }
  /** An instance acknowledged Recalled for a pop the API did not recall: nothing changes. */
  | { readonly kind: 'notRecalled'; readonly status: PopStatus }
  | { readonly kind: 'notSentToConnection' };

/** Who may acknowledge the pop, and who this Ack speaks for (undefined: the pop was not sent to it). */
function recipients(pop: PopState, ack: Ack): { readonly all: readonly string[]; readonly acker?: string } {
  const instances = pop.sentToInstances ?? [];
  if (instances.length === 0)
    return { all: pop.sentTo, ...(pop.sentTo.includes(ack.connectionId) ? { acker: ack.connectionId } : {}) };
  const candidates = [ack.instance, instanceKey({ connectionId: ack.connectionId })];
  const acker = candidates.find((candidate) => candidate !== undefined && instances.includes(candidate));
  return { all: instances, ...(acker !== undefined ? { acker } : {}) };
}

export function next(pop: PopState, ack: Ack): Transition {
  const { all, acker } = recipients(pop, ack);
  if (acker === undefined) return { kind: 'notSentToConnection' };
  if (pop.Status === ack.status || (ack.status === 'Failed' && pop.failedBy.includes(acker))) {
    return { kind: 'unchanged' };
  }
  if (ack.status === 'Recalled') return { kind: 'notRecalled', status: pop.Status };
  if (!MAY_FOLLOW[ack.status].includes(pop.Status)) return { kind: 'alreadyFinal', status: pop.Status };
  if (ack.status !== 'Failed') return { kind: 'move', change: { status: ack.status } };
  const failedBy = [...pop.failedBy, acker];
  if (!all.every((recipient) => failedBy.includes(recipient))) return { kind: 'noteFailure', change: { failedBy } };
  return { kind: 'move', change: { status: 'Failed', reason: ack.reason ?? 'Unknown', failedBy } };
}
