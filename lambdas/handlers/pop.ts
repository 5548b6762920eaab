/** POST /pop in AWS (lambdas/pops/popHandler.ts): one DynamoDB and one management API client per container. */
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makePopHandler, popDependencies } from '../pops/popHandler';
import { powertoolsMetrics } from '../shared/metrics';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.pop);
const clients = { db: createDocumentClient(settings), management: createConnectionsClient(settings) };
export const handler = makePopHandler(popDependencies(settings, clients, powertoolsMetrics(settings.metricsNamespace)));
