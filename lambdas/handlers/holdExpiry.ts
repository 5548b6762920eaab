/** The hold timer's consumer in AWS (lambdas/pops/holdExpiry.ts): a held pop's deadline makes it Expired. */
import { createDocumentClient } from '../clients/documentClient';
import { HANDLER_NEEDS } from '../handlerNeeds';
import { holdExpiryDependencies, makeHoldExpiryHandler } from '../pops/holdExpiry';
import { readSettings } from '../shared/settings';

const settings = readSettings(process.env, HANDLER_NEEDS.holdExpiry);
export const handler = makeHoldExpiryHandler(holdExpiryDependencies(settings, { db: createDocumentClient(settings) }));
