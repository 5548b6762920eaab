/** The Ping route in AWS (lambdas/edge/protocolHandlers.ts); it needs no configuration. */
import { makePingHandler } from '../edge/protocolHandlers';

export const handler = makePingHandler();
