/**
 * POST /pop/validate: the dry run of POST /pop. The same body checks and the same plan (popPlan.ts: the
 * agent's presence and the campaign's catalogue entries, read in parallel), then 200 with what a pop would do, or
 * exactly the refusal POST /pop would give from them. Nothing is claimed, stored or pushed; the Idempotency-Key is not
 * read and no refusal is counted as a refused pop (none was made). The record claim is not read: whether the record
 * was just popped for another agent (409 RecordOpenElsewhere) is known only when a pop claims it. With HoldSeconds and
 * the agent on no Desktop the answer is `Status: "Held"`, as POST /pop would hold the pop (heldPops.ts).
 */
import PopRequestValidator from '../../contract/generated/PopRequest';
import { MAX_POP_BODY_BYTES } from '../../contract/limits';
import type { PopRequest } from '../../contract/rest';
import { parseJsonBody } from '../edge/requestBody';
import { restHandler, type RestHandler } from '../edge/restHandler';
import { apiCallerOf } from '../auth/callerIdentity';
import { isRefused } from '../shared/outcome';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';
import { CatalogueReader } from '../catalogue/catalogueReader';
import { CatalogueCache } from '../catalogue/catalogueCache';
import { ConnectionStore } from '../presence/connectionStore';
import { messageTooLarge } from './popHandler';
import { withoutBlankReference } from './reference';
import { planPop, withoutGone, type PlanDependencies } from './popPlan';
import { connectionProber, type ProbeConnection } from './pusher';

export interface ValidateDependencies extends PlanDependencies {
  /** Asks API Gateway whether each target connection still exists (the GetConnection a pop's push stands for). */
  readonly probe?: ProbeConnection;
}

export function makePopValidateHandler(deps: ValidateDependencies): RestHandler {
  return restHandler(async ({ event, log }) => {
    const caller = apiCallerOf(event);
    if (isRefused(caller)) return caller;
    log.appendKeys({ tenant: caller.tenant });
    const request = parseJsonBody<PopRequest>(
      event.body,
      event.isBase64Encoded,
      PopRequestValidator,
      MAX_POP_BODY_BYTES,
    );
    if (request.kind === 'refused') return request;
    const pop = withoutBlankReference(request.value);
    const tooLarge = messageTooLarge(pop);
    if (tooLarge) return tooLarge;
    const plan = await withoutGone(await planPop(deps, caller.tenant, pop), pop.Username, deps.probe);
    // POST /pop would hold it (heldPops.ts); its checks run when the agent appears.
    if (plan.kind === 'refused' && plan.code === 'AgentNotOnDesktop' && request.value.HoldSeconds !== undefined) {
      log.info('Dry run: the pop would be held', { agent: request.value.Username, campaign: request.value.Campaign });
      const result = { Valid: true, Checks: [], Instances: 0, UncheckedInstances: 0, Status: 'Held' };
      return { kind: 'success', status: 200, result };
    }
    if (plan.kind === 'refused') {
      log.info('Dry run: the pop would be refused', {
        reason: plan.code,
        agent: pop.Username,
        campaign: pop.Campaign,
      });
      return plan;
    }
    const result = {
      Valid: true,
      Checks: plan.checks,
      Instances: plan.targets.length,
      UncheckedInstances: plan.unchecked,
    };
    return { kind: 'success', status: 200, result };
  });
}

export const popValidateDependencies = (
  settings: Pick<Settings, 'tableName'>,
  clients: Pick<AwsClients, 'db'> & Partial<Pick<AwsClients, 'management'>>,
): ValidateDependencies => ({
  connections: new ConnectionStore(clients.db, settings.tableName),
  catalogues: new CatalogueReader(clients.db, settings.tableName),
  catalogueCache: new CatalogueCache(),
  ...(clients.management ? { probe: connectionProber(clients.management) } : {}),
});
