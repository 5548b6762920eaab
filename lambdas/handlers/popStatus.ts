import { documentClient } from '../clients/documentClient';
import { callerFromEvent, requireApiCaller } from '../domain/callerIdentity';
import { ApiError } from '../shared/apiError';
import { restHandler } from '../shared/restResponse';
import { ENV, requireEnv } from '../shared/settings';
import { PopStore, toPopRecord } from '../store/popStore';

const pops = new PopStore(documentClient(), requireEnv(ENV.tableName));

const notFound = () => new ApiError(404, 'PopNotFound', 'No pop with this PopId exists for your tenant.');

/** GET /pops/{PopId}: a pop's status, to its own tenant only (another tenant's PopId is not found). */
export const handler = restHandler(async ({ event, log }) => {
  const caller = requireApiCaller(callerFromEvent(event));
  log.appendKeys({ tenant: caller.tenant });
  const popId = event.pathParameters?.PopId;
  // No PopId is longer than 128 or holds an unpaired surrogate (which no table key can encode).
  if (!popId || popId.length > 128 || /[\ud800-\udfff]/u.test(popId)) throw notFound();
  const pop = await pops.getPop(caller.tenant, popId);
  if (!pop) throw notFound();
  return { statusCode: 200, result: toPopRecord(pop) };
});
