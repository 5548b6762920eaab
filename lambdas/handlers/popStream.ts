/** The table's stream of pop items in AWS (lambdas/events/streamHandler.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { makePopStreamHandler, popStreamDependencies } from '../events/streamHandler';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { powertoolsMetrics } from '../shared/metrics';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.popStream);
const metrics = powertoolsMetrics(settings.metricsNamespace);
export const handler = makePopStreamHandler(
  popStreamDependencies(settings, { db: createDocumentClient(settings) }, metrics),
);
