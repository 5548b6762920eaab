/** The Catalogue route in AWS (lambdas/catalogue/catalogueHandlers.ts). */
import { catalogueDependencies, makeCatalogueHandler } from '../catalogue/catalogueHandlers';
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.wsCatalogue);
export const handler = makeCatalogueHandler(catalogueDependencies(settings, { db: createDocumentClient(settings) }));
