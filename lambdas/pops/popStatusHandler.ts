/** GET /pops/{PopId}: a pop's status, to its own tenant only (another tenant's PopId is not found). */
import { MAX_POP_ID_LENGTH } from '../../contract/limits';
import { apiCallerOf } from '../auth/callerIdentity';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { isRefused, refuse } from '../shared/outcome';
import { asOf, PopStore, toPopRecord } from './popStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface PopStatusDependencies {
  readonly pops: PopStore;
  /** A pop still Sent this long after it was sent reads Expired (Unconfirmed) (popStore.ts `asOf`). */
  readonly claimWindowMs?: number;
}

const notFound = () => refuse('PopNotFound', 'No pop with this PopId exists for your tenant.');

export function makePopStatusHandler({ pops, claimWindowMs }: PopStatusDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const popId = event.pathParameters?.PopId;
    // No PopId is longer than the limit or holds an unpaired surrogate (which no table key can encode).
    if (!popId || popId.length > MAX_POP_ID_LENGTH || /[\ud800-\udfff]/u.test(popId)) return notFound();
    const pop = await pops.getPop(caller.tenant, popId);
    if (!pop) return notFound();
    return { kind: 'success', status: 200, result: toPopRecord(asOf(pop, Date.now(), claimWindowMs)) };
  });
}

export const popStatusDependencies = (
  settings: Pick<Settings, 'tableName' | 'claimWindowSeconds'>,
  clients: Pick<AwsClients, 'db'>,
): PopStatusDependencies => ({
  pops: new PopStore(clients.db, settings.tableName),
  claimWindowMs: settings.claimWindowSeconds * 1000,
});
