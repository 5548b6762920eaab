/** The Ack route in AWS (lambdas/pops/ackHandler.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { ackDependencies, makeAckHandler } from '../pops/ackHandler';
import { powertoolsMetrics } from '../shared/metrics';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsAck);
export const handler = makeAckHandler(
  ackDependencies(settings, { db: createDocumentClient(settings) }, powertoolsMetrics(settings.metricsNamespace)),
);
