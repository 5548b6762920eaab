/**
 * A Desktop list, in one message or in parts (contract/webSocket.ts): a list too long for one
 * WebSocket frame (32 KB) comes as `Parts` messages sharing a `Sequence`, which API Gateway may deliver in any order
 * and at the same time. Parts are kept until the last one arrives; the set is applied once, whole; a list older than
 * one already applied is never applied after it.
 */
import { MAX_DESKTOP_AGENTS } from '../../contract/limits';
import type { DesktopMessage } from '../../contract/webSocket';
import type { ConnectionItem, ConnectionStore } from './connectionStore';
import type { DesktopPartStore } from './desktopPartStore';

export type DesktopOutcome =
  | { readonly kind: 'applied'; readonly agents: number }
  | { readonly kind: 'waiting'; readonly received: number; readonly parts: number }
  /** A newer list was applied already, or this set was applied by another of its parts: nothing to do. */
  | { readonly kind: 'superseded' }
  | { readonly kind: 'refused'; readonly message: string };

export interface DesktopStores {
  readonly connections: ConnectionStore;
  readonly desktopParts: DesktopPartStore;
}

export async function receiveDesktop(
  stores: DesktopStores,
  connection: ConnectionItem,
  message: DesktopMessage,
): Promise<DesktopOutcome> {
  const { Sequence, Part, Parts, Agents } = message;
  if (Sequence === undefined && Part === undefined && Parts === undefined) return applyList(stores, connection, Agents);
  if (Sequence === undefined || Part === undefined || Parts === undefined) {
    return refused('Sequence, Part and Parts go together: send all three, or none for a list in one message.');
  }
  if (Part > Parts) return refused(`Part ${Part} is past Parts (${Parts}).`);
  if ((await stores.desktopParts.appliedSequence(connection.connectionId)) >= Sequence) return { kind: 'superseded' };
  const recorded = await stores.desktopParts.recordPart(connection, Sequence, Part, Parts, Agents);
  switch (recorded.kind) {
    case 'waiting':
      return { kind: 'waiting', received: recorded.received, parts: Parts };
    case 'partsDiffer':
      return refused(
        `Parts (${Parts}) differs from the ${recorded.parts} an earlier part of Sequence ${Sequence} gave.`,
      );
    case 'alreadyComplete':
      return { kind: 'superseded' };
    case 'complete':
      return applySet(stores, connection, Sequence);
  }
}

async function applySet(stores: DesktopStores, connection: ConnectionItem, sequence: number): Promise<DesktopOutcome> {
  const agents = await stores.desktopParts.agentsOf(connection.connectionId, sequence);
  const distinct = new Set(agents);
  if (distinct.size > MAX_DESKTOP_AGENTS) {
    await stores.desktopParts.removeParts(connection.connectionId, sequence);
    return tooMany(distinct.size);
  }
  // Claimed before writing: an older set completing after this point is superseded, not applied over this one.
  if (!(await stores.desktopParts.markApplied(connection.connectionId, sequence))) return { kind: 'superseded' };
  await stores.connections.replaceDesktop(connection, [...distinct]);
  await stores.desktopParts.removeParts(connection.connectionId, sequence);
  return { kind: 'applied', agents: distinct.size };
}

async function applyList(
  stores: DesktopStores,
  connection: ConnectionItem,
  agents: readonly string[],
): Promise<DesktopOutcome> {
  const distinct = new Set(agents);
  if (distinct.size > MAX_DESKTOP_AGENTS) return tooMany(distinct.size);
  await stores.connections.replaceDesktop(connection, [...distinct]);
  return { kind: 'applied', agents: distinct.size };
}

const refused = (message: string): DesktopOutcome => ({ kind: 'refused', message });

const tooMany = (count: number): DesktopOutcome =>
  refused(`The Desktop list names ${count} agents; one Desktop holds at most ${MAX_DESKTOP_AGENTS}.`);
