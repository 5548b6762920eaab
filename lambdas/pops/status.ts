/**
 * A pop's status, as a pure function: what one instance's Ack does to a pop. Status only moves forward
 * (Sent -> Delivered -> Opened | Unchanged | Failed); only a connection the pop was sent to may acknowledge it; a pop
 * pushed to several instances (the agent is on more than one Desktop) is Opened as soon as one opens it, and Failed
 * only once every instance it was sent to has failed it: one instance's NoLicence must not hide another's Opened, nor
 * give the record claim back while the record is open there. acknowledge.ts persists what this decides.
 */
import type { AckStatus, PopStatus } from '../../contract/statuses';
import type { PopChange } from './popStore';

/** Which statuses an acknowledgement may move a pop from. */
export const MAY_FOLLOW: Readonly<Record<AckStatus, readonly PopStatus[]>> = {
  Delivered: ['Sent'],
  Opened: ['Sent', 'Delivered'],
  Unchanged: ['Sent', 'Delivered'],
  Failed: ['Sent', 'Delivered'],
};

/** The part of a pop its status depends on. */
export interface PopState {
  readonly Status: PopStatus;
  readonly sentTo: readonly string[];
  readonly failedBy: readonly string[];
}

export interface Ack {
  readonly connectionId: string;
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
  | { readonly kind: 'notSentToConnection' };

export function next(pop: PopState, ack: Ack): Transition {
  if (!pop.sentTo.includes(ack.connectionId)) return { kind: 'notSentToConnection' };
  if (pop.Status === ack.status || (ack.status === 'Failed' && pop.failedBy.includes(ack.connectionId))) {
    return { kind: 'unchanged' };
  }
  if (!MAY_FOLLOW[ack.status].includes(pop.Status)) return { kind: 'alreadyFinal', status: pop.Status };
  if (ack.status !== 'Failed') return { kind: 'move', change: { status: ack.status } };
  const failedBy = [...pop.failedBy, ack.connectionId];
  if (!pop.sentTo.every((connectionId) => failedBy.includes(connectionId))) return { kind: 'noteFailure', change: { failedBy } };
  return { kind: 'move', change: { status: 'Failed', reason: ack.reason ?? 'Unknown', failedBy } };
}
