/** The $default route in AWS (lambdas/edge/protocolHandlers.ts); it needs no configuration. */
import { makeDefaultHandler } from '../edge/protocolHandlers';

export const handler = makeDefaultHandler();
