/** DELETE /pops/{PopId}: recall a pop of the caller's own tenant that has not opened (recall.ts). */
import { MAX_POP_ID_LENGTH } from '../../contract/limits';
import { apiCallerOf } from '../auth/callerIdentity';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { ConnectionStore } from '../presence/connectionStore';
import { isRefused } from '../shared/outcome';
import { PopStore, toPopRecord } from './popStore';
import { connectionPusher } from './pusher';
import { popNotFound, recallPop, type RecallDependencies } from './recall';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export function makePopRecallHandler(deps: RecallDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const popId = event.pathParameters?.PopId;
    // As GET /pops/{PopId}: no PopId is longer than the limit or holds an unpaired surrogate (no table key encodes one).
    if (!popId || popId.length > MAX_POP_ID_LENGTH || /[\ud800-\udfff]/u.test(popId)) return popNotFound();
    log.appendKeys({ popId });
    const outcome = await recallPop(deps, caller.tenant, popId, log);
    if (outcome.kind === 'refused') return outcome;
    return { kind: 'success', status: 200, result: toPopRecord(outcome.pop) };
  });
}

export const popRecallDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db' | 'management'>,
): RecallDependencies => ({
  pops: new PopStore(clients.db, settings.tableName),
  connections: new ConnectionStore(clients.db, settings.tableName),
  push: connectionPusher(clients.management),
});
