/**
 * What the local stack's table holds, read for the console: connected instances with the agents on their Desktops,
 * per tenant, and the last pops with their status. One paginated Scan: fine for a development tool on a local
 * emulator, never for a deployed table (lambdas/store/tableSchema.ts has the keys; the stores Query by key instead).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { scanByType, type ScannedItem } from '../tableScan';

export const LAST_POPS = 50;

export interface InstanceRow {
  readonly tenant: string;
  readonly instance: string;
  readonly username: string;
  readonly connectionId: string;
  readonly connectedAt: string;
  readonly agents: readonly string[];
}

export interface PopRow {
  readonly tenant: string;
  readonly popId: string;
  readonly username: string;
  readonly campaign: string;
  readonly reference?: string;
  readonly status: string;
  readonly reason?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ConsoleSnapshot {
  /** Every tenant with a connection or a pop, sorted. */
  readonly tenants: readonly string[];
  readonly instances: readonly InstanceRow[];
  /** The last LAST_POPS pops, newest first. */
  readonly pops: readonly PopRow[];
}

type Item = ScannedItem;

function instancesOf(items: Item[]): InstanceRow[] {
  const agents = new Map<string, string[]>();
  for (const item of items.filter((entry) => entry.Type === 'Presence')) {
    agents.set(item.ConnectionId, [...(agents.get(item.ConnectionId) ?? []), String(item.Agent)]);
  }
  return items
    .filter((item) => item.Type === 'Connection')
    .map((item) => ({
      tenant: String(item.Tenant),
      instance: String(item.Instance ?? item.Username),
      username: String(item.Username),
      connectionId: String(item.ConnectionId),
      connectedAt: new Date(Number(item.ConnectedAt)).toISOString(),
      agents: (agents.get(item.ConnectionId) ?? []).sort(),
    }))
    .sort(
      (a, b) =>
        a.tenant.localeCompare(b.tenant) ||
        a.instance.localeCompare(b.instance) ||
        a.connectedAt.localeCompare(b.connectedAt),
    );
}

function popsOf(items: Item[]): PopRow[] {
  return items
    .filter((item) => item.Type === 'Pop')
    .sort((a, b) => String(b.CreatedAt).localeCompare(String(a.CreatedAt)))
    .slice(0, LAST_POPS)
    .map((item) => ({
      tenant: String(item.Tenant),
      popId: String(item.PopId),
      username: String(item.Username),
      campaign: String(item.Campaign),
      ...(item.Reference ? { reference: String(item.Reference) } : {}),
      status: String(item.Status),
      ...(item.Reason ? { reason: String(item.Reason) } : {}),
      createdAt: String(item.CreatedAt),
      updatedAt: String(item.UpdatedAt),
    }));
}

/** `tenant` keeps one tenant's rows (the tenant list stays whole, for the page's picker). */
export async function readSnapshot(
  db: DynamoDBDocumentClient,
  tableName: string,
  tenant?: string,
  nowMs = Date.now(),
): Promise<ConsoleSnapshot> {
  // The emulator never deletes expired items (local/README.md): skip them as the stores do.
  const live = (await scanByType(db, tableName, ['Connection', 'Presence', 'Pop'])).filter(
    (item) => typeof item.ExpiresAt !== 'number' || item.ExpiresAt * 1000 > nowMs,
  );
  const tenants = [...new Set(live.map((item) => String(item.Tenant)))].sort();
  const mine = tenant ? live.filter((item) => item.Tenant === tenant) : live;
  return { tenants, instances: instancesOf(mine), pops: popsOf(mine) };
}
