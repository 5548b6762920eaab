/** GET /events?after=<cursor>&limit=N: the caller's own tenant's events after a cursor (eventLog.ts). */
import { MAX_EVENTS_PAGE } from '../../contract/limits';
import { apiCallerOf } from '../auth/callerIdentity';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { isRefused, refusals } from '../shared/outcome';
import { readEvents, type Clock } from './eventLog';
import { EventStore } from './eventStore';
import { FEED_START, parseCursor, type FeedCursor } from './feedPartitions';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface EventsDependencies {
  readonly events: EventStore;
  readonly clock: Clock;
  /** @default SETTLE_MS in eventLog.ts */
  readonly settleMs?: number;
}

/** `after` as a cursor (feedPartitions.ts: an old one-number cursor too) and `limit`, or the problems found. */
export function pageRequest(
  query: Readonly<Record<string, string | undefined>> | null,
): { after: FeedCursor; limit: number } | string[] {
  const after = query?.after === undefined ? FEED_START : parseCursor(query.after);
  const limit = query?.limit;
  const problems: string[] = [];
  if (!after) problems.push('after: must be a Cursor from an earlier answer');
  if (limit !== undefined && !(/^[1-9][0-9]{0,2}$/.test(limit) && Number(limit) <= MAX_EVENTS_PAGE)) {
    problems.push(`limit: must be a whole number from 1 to ${MAX_EVENTS_PAGE}`);
  }
  if (!after || problems.length > 0) return problems;
  return {
    after,
    limit: limit === undefined ? MAX_EVENTS_PAGE : Number(limit),
  };
}

export function makeEventsHandler({ events, clock, settleMs }: EventsDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const page = pageRequest(event.queryStringParameters);
    if (Array.isArray(page)) return refusals.invalidRequest(page);
    const result = await readEvents(
      events,
      caller.tenant,
      page.after,
      { limit: page.limit, ...(settleMs ? { settleMs } : {}) },
      clock,
    );
    return { kind: 'success', status: 200, result };
  });
}

export const eventsDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'>,
): EventsDependencies => ({
  events: new EventStore(clients.db, settings.tableName),
  clock: { now: Date.now },
});
