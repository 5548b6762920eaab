/**
 * The cold-start step of `npm run bench` (bench/coldStart.ts) imports every handler's bundle with DUMMY_ENV; a
 * handler whose configuration check refuses it stops the whole bench (the hold timer's HOLD_QUEUE_URL did).
 */
import { DUMMY_ENV } from '../../../bench/coldStart';
import { HANDLER_NEEDS, type HandlerName } from '../../../lambdas/apiRoutes';
import { readSettings } from '../../../lambdas/shared/settings';

test.each(Object.keys(HANDLER_NEEDS) as HandlerName[])('DUMMY_ENV configures %s', (name) => {
  expect(() => readSettings(DUMMY_ENV, HANDLER_NEEDS[name])).not.toThrow();
});
