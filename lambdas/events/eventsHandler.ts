/** GET /events?after=<cursor>&limit=N: the caller's own tenant's events after a cursor (eventLog.ts). */
import { EVENT_CURSOR_PATTERN, MAX_EVENTS_PAGE } from '../../contract/limits';
import { apiCallerOf } from '../auth/callerIdentity';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { isRefused, refusals } from '../shared/outcome';
import { readEvents, type Clock } from './eventLog';
import { EventStore } from './eventStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface EventsDependencies {
  readonly events: EventStore;
  readonly clock: Clock;
  /** @default SETTLE_MS in eventLog.ts */
  readonly settleMs?: number;
}

/** `after` and `limit` as numbers, or the problems found (named as the caller wrote them). */
export function pageRequest(
  query: Readonly<Record<string, string | undefined>> | null,
): { after: number; limit: number } | string[] {
  const after = query?.after;
  const limit = query?.limit;
  const problems: string[] = [];
  if (after !== undefined && !EVENT_CURSOR_PATTERN.test(after))
    problems.push('after: must be a Cursor from an earlier answer');
  if (limit !== undefined && !(/^[1-9][0-9]{0,2}$/.test(limit) && Number(limit) <= MAX_EVENTS_PAGE)) {
    problems.push(`limit: must be a whole number from 1 to ${MAX_EVENTS_PAGE}`);
  }
  if (problems.length > 0) return problems;
  return {
    after: after === undefined ? 0 : Number(after),
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
