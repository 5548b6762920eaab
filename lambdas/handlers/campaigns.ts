/** GET /campaigns in AWS (lambdas/catalogue/campaignsHandler.ts). */
import { campaignsDependencies, makeCampaignsHandler } from '../catalogue/campaignsHandler';
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.campaigns);
export const handler = makeCampaignsHandler(
  campaignsDependencies(settings, {
    db: createDocumentClient(settings),
    management: createConnectionsClient(settings),
  }),
);
