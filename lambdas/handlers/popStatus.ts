/** GET /pops/{PopId} in AWS (lambdas/pops/popStatusHandler.ts). */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { makePopStatusHandler, popStatusDependencies } from '../pops/popStatusHandler';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.popStatus);
export const handler = makePopStatusHandler(popStatusDependencies(settings, { db: createDocumentClient(settings) }));
