/**
 * Every handler built from its factory and a configuration object, by name: what the local gateway
 * (local/gateway/lambdaRuntime.ts) and the in-process tests use instead of the environment, so that two stacks with
 * different settings can live in one process. In AWS each function's binding (lambdas/handlers/<name>.ts) does the
 * same for its one handler, from the environment.
 */
import type { Context } from 'aws-lambda';
import { instanceAuthorizerDependencies, makeInstanceAuthorizer } from './auth/instanceAuthorizer';
import { makeRestAuthorizer, restAuthorizerDependencies } from './auth/restAuthorizer';
import { makeAuthRefreshHandler, makeAuthTokenHandler, tokenDependencies } from './auth/tokenHandlers';
import type { AwsClients } from './clients/awsClients';
import { makeDefaultHandler, makePingHandler } from './edge/protocolHandlers';
import { eventsDependencies, makeEventsHandler } from './events/eventsHandler';
import { makePopStreamHandler, popStreamDependencies } from './events/streamHandler';
import type { HandlerName } from './handlerNeeds';
import { campaignsDependencies, makeCampaignHandler, makeCampaignsHandler } from './catalogue/campaignsHandler';
import { catalogueDependencies, makeCatalogueHandler, makeLicencesHandler } from './catalogue/catalogueHandlers';
import { makePopValidateHandler, popValidateDependencies } from './pops/validateHandler';
import { ackDependencies, makeAckHandler } from './pops/ackHandler';
import { makePopHandler, popDependencies } from './pops/popHandler';
import { makePopStatusHandler, popStatusDependencies } from './pops/popStatusHandler';
import { heldDeliveryDependencies } from './pops/heldDependencies';
import { holdExpiryDependencies, makeHoldExpiryHandler } from './pops/holdExpiry';
import { makePopRecallHandler, popRecallDependencies } from './pops/recallHandler';
import { makeConnectHandler, makeDisconnectHandler, presenceDependencies } from './presence/connectionHandlers';
import { makeDesktopHandler, makeLoginHandler, makeLogoutHandler } from './presence/desktopHandlers';
import type { MetricsSink } from './shared/metrics';
import { WEBHOOK_FACTORIES } from './webhooks/webhookFactories';
import type { Settings } from './shared/settings';

export interface HandlerConfig {
  readonly settings: Settings;
  /** Shared by the handlers of one stack (one client per service, as a container would hold). */
  readonly clients: AwsClients;
  readonly metrics: MetricsSink;
}

// Events differ per route; the gateway builds each one as API Gateway would for that route.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyHandler = (event: any, context: Context) => Promise<unknown>;

export const HANDLER_FACTORIES: { readonly [N in HandlerName]: (config: HandlerConfig) => AnyHandler } = {
  authToken: ({ settings, clients }) => makeAuthTokenHandler(tokenDependencies(settings, clients)),
  authRefresh: ({ settings, clients }) => makeAuthRefreshHandler(tokenDependencies(settings, clients)),
  pop: ({ settings, clients, metrics }) => makePopHandler(popDependencies(settings, clients, metrics)),
  popStatus: ({ settings, clients }) => makePopStatusHandler(popStatusDependencies(settings, clients)),
  popRecall: ({ settings, clients }) => makePopRecallHandler(popRecallDependencies(settings, clients)),
  events: ({ settings, clients }) => makeEventsHandler(eventsDependencies(settings, clients)),
  popStream: ({ settings, clients, metrics }) =>
    makePopStreamHandler(popStreamDependencies(settings, clients, metrics)),
  popValidate: ({ settings, clients }) => makePopValidateHandler(popValidateDependencies(settings, clients)),
  campaigns: ({ settings, clients }) => makeCampaignsHandler(campaignsDependencies(settings, clients)),
  campaign: ({ settings, clients }) => makeCampaignHandler(campaignsDependencies(settings, clients)),
  wsCatalogue: ({ settings, clients }) => makeCatalogueHandler(catalogueDependencies(settings, clients)),
  wsLicences: ({ settings, clients }) => makeLicencesHandler(catalogueDependencies(settings, clients)),
  restAuthorizer: ({ settings, clients }) => makeRestAuthorizer(restAuthorizerDependencies(settings, clients)),
  wsAuthorizer: ({ settings, clients }) => makeInstanceAuthorizer(instanceAuthorizerDependencies(settings, clients)),
  wsConnect: ({ settings, clients }) => makeConnectHandler(presenceDependencies(settings, clients)),
  wsDisconnect: ({ settings, clients }) => makeDisconnectHandler(presenceDependencies(settings, clients)),
  wsDesktop: ({ settings, clients, metrics }) =>
    makeDesktopHandler(presenceDependencies(settings, clients), heldDeliveryDependencies(settings, clients, metrics)),
  wsLogin: ({ settings, clients, metrics }) =>
    makeLoginHandler(presenceDependencies(settings, clients), heldDeliveryDependencies(settings, clients, metrics)),
  wsLogout: ({ settings, clients }) => makeLogoutHandler(presenceDependencies(settings, clients)),
  wsAck: ({ settings, clients, metrics }) => makeAckHandler(ackDependencies(settings, clients, metrics)),
  wsPing: () => makePingHandler(),
  wsDefault: () => makeDefaultHandler(),
  holdExpiry: ({ settings, clients }) => makeHoldExpiryHandler(holdExpiryDependencies(settings, clients)),
  ...WEBHOOK_FACTORIES,
};
