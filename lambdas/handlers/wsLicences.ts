/** The Licences route in AWS (lambdas/catalogue/catalogueHandlers.ts). */
import { catalogueDependencies, makeLicencesHandler } from '../catalogue/catalogueHandlers';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsLicences);
export const handler = makeLicencesHandler(catalogueDependencies(settings, { db: createDocumentClient(settings) }));
