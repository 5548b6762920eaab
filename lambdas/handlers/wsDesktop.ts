/** The Desktop route in AWS (lambdas/presence/desktopHandlers.ts): it delivers the pops held for the agents it reports. */
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { heldDeliveryDependencies } from '../pops/heldDependencies';
import { presenceDependencies } from '../presence/connectionHandlers';
import { makeDesktopHandler } from '../presence/desktopHandlers';
import { powertoolsMetrics } from '../shared/metrics';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsDesktop);
const clients = { db: createDocumentClient(settings), management: createConnectionsClient(settings) };
export const handler = makeDesktopHandler(
  presenceDependencies(settings, clients),
  heldDeliveryDependencies(settings, clients, powertoolsMetrics(settings.metricsNamespace)),
);
