/** DELETE /pops/{PopId} in AWS (lambdas/pops/recallHandler.ts): one DynamoDB and one management API client per container. */
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makePopRecallHandler, popRecallDependencies } from '../pops/recallHandler';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.popRecall);
export const handler = makePopRecallHandler(
  popRecallDependencies(settings, {
    db: createDocumentClient(settings),
    management: createConnectionsClient(settings),
  }),
);
