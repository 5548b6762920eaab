/** GET /campaigns/{Name} in AWS (lambdas/catalogue/campaignsHandler.ts). */
import { campaignsDependencies, makeCampaignHandler } from '../catalogue/campaignsHandler';
import { createConnectionsClient } from '../clients/connectionsClient';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.campaign);
export const handler = makeCampaignHandler(
  campaignsDependencies(settings, {
    db: createDocumentClient(settings),
    management: createConnectionsClient(settings),
  }),
);
