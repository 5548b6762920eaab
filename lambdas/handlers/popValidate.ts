/** POST /pop/validate in AWS (lambdas/pops/validateHandler.ts). */
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makePopValidateHandler, popValidateDependencies } from '../pops/validateHandler';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.popValidate);
export const handler = makePopValidateHandler(
  popValidateDependencies(settings, {
    db: createDocumentClient(settings),
    management: createConnectionsClient(settings),
  }),
);
