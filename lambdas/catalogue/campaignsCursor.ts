/**
 * GET /campaigns pages (one answer of a large catalogue passed Lambda's 6 MB response limit). The
 * cursor is opaque to the caller: the sort key of the last entry of the page's last campaign, and a tag of the tenant
 * it was issued to. The Query always reads the caller's own partition, so a cursor can never reach another tenant;
 * the tag makes a cursor passed to another tenant a clear 400 rather than a silent jump in its own list.
 */
import { createHash } from 'node:crypto';
import { MAX_CAMPAIGNS_PAGE } from '../../contract/limits';

export interface CampaignsPageRequest {
  /** The sort key to continue after; absent: the first page. */
  readonly after?: string;
  readonly limit: number;
}

/** Longest sort key a cursor may carry: a catalogue entry's key is two key parts and a separator (tableSchema.ts). */
const MAX_CURSOR_KEY = 2048;

const tenantTag = (tenant: string) => createHash('sha256').update(tenant, 'utf8').digest('base64url').slice(0, 22);

export function encodeCursor(tenant: string, sortKey: string): string {
  return Buffer.from(JSON.stringify({ t: tenantTag(tenant), k: sortKey }), 'utf8').toString('base64url');
}

function decodeCursor(tenant: string, cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(cursor)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value !== 'object' || value === null) return undefined;
    const { t, k } = value as { t?: unknown; k?: unknown };
    const valid = t === tenantTag(tenant) && typeof k === 'string' && k.length > 0 && k.length <= MAX_CURSOR_KEY;
    return valid ? k : undefined;
  } catch {
    return undefined;
  }
}

/** `next` and `limit` of the query, or the problems found (named as the caller wrote them). */
export function campaignsPageRequest(
  tenant: string,
  query: Readonly<Record<string, string | undefined>> | null,
): CampaignsPageRequest | string[] {
  const next = query?.next;
  const limit = query?.limit;
  const problems: string[] = [];
  const after = next === undefined ? undefined : decodeCursor(tenant, next);
  if (next !== undefined && after === undefined) problems.push('next: must be the Next of an earlier answer to you');
  if (limit !== undefined && !(/^[1-9][0-9]{0,2}$/.test(limit) && Number(limit) <= MAX_CAMPAIGNS_PAGE)) {
    problems.push(`limit: must be a whole number from 1 to ${MAX_CAMPAIGNS_PAGE}`);
  }
  if (problems.length > 0) return problems;
  return { ...(after === undefined ? {} : { after }), limit: limit === undefined ? MAX_CAMPAIGNS_PAGE : Number(limit) };
}
