/** The functions, one per route (lambdas/apiRoutes.ts), and what each may touch. No imports: every bundle reads it. */
export type HandlerName =
  | 'authToken'
  | 'authRefresh'
  | 'pop'
  | 'popStatus'
  | 'popRecall'
  | 'popValidate'
  | 'campaigns'
  | 'campaign'
  | 'events'
  | 'popStream'
  | 'webhookCreate'
  | 'webhookList'
  | 'webhookGet'
  | 'webhookDelete'
  | 'webhookRotate'
  | 'webhookTest'
  | 'webhookSender'
  | 'wsAuthorizer'
  | 'wsConnect'
  | 'wsDisconnect'
  | 'wsDesktop'
  | 'wsLogin'
  | 'wsLogout'
  | 'wsAck'
  | 'wsCatalogue'
  | 'wsLicences'
  | 'wsPing'
  | 'wsDefault';

/**
 * What each function may touch, so the stack grants exactly this and nothing more.
 * table: read/write on the table; manageConnections: execute-api:ManageConnections on this WebSocket API;
 * adminGetUser: cognito-idp:AdminGetUser on the pool; userPool: the pool id and client id in the environment.
 */
export interface HandlerNeeds {
  readonly table?: 'read' | 'readWrite';
  readonly manageConnections?: boolean;
  readonly adminGetUser?: boolean;
  readonly userPool?: boolean;
  readonly claimSettings?: boolean;
  /** Invoked by the table's stream (pop items only), not by a route. */
  readonly popStream?: boolean;
  /** The webhook delivery queue (lib/webhooks.ts): `send` to it, or `consume` it (its event source, visibility changes). */
  readonly webhookQueue?: 'send' | 'consume';
}

export const HANDLER_NEEDS: Readonly<Record<HandlerName, HandlerNeeds>> = {
  authToken: { userPool: true, adminGetUser: true },
  authRefresh: { userPool: true, adminGetUser: true },
  pop: { table: 'readWrite', manageConnections: true, claimSettings: true },
  popStatus: { table: 'read' },
  // Tells the instances the pop was pushed to (a Recall message) and gives its record claim back.
  popRecall: { table: 'readWrite', manageConnections: true },
  popValidate: { table: 'read' },
  campaigns: { table: 'read' },
  campaign: { table: 'read' },
  // Reading the feed closes gaps a dead writer left (lambdas/events/eventLog.ts): a conditional write.
  events: { table: 'readWrite' },
  // Queues one webhook delivery per matching endpoint after it appends an event (lambdas/webhooks/enqueue.ts).
  popStream: { table: 'readWrite', popStream: true, claimSettings: true, webhookQueue: 'send' },
  // Validating a URL resolves its host (lambdas/webhooks/urlGuard.ts); nothing is queued, so no queue grant.
  webhookCreate: { table: 'readWrite' },
  webhookList: { table: 'read' },
  webhookGet: { table: 'read' },
  webhookDelete: { table: 'readWrite' },
  webhookRotate: { table: 'readWrite' },
  // The test delivery is queued like any other.
  webhookTest: { table: 'read', webhookQueue: 'send' },
  // Records each endpoint's state; the queue's consumer (lambdas/webhooks/senderHandler.ts).
  webhookSender: { table: 'readWrite', webhookQueue: 'consume' },
  wsAuthorizer: { userPool: true },
  wsConnect: { table: 'readWrite' },
  wsDisconnect: { table: 'readWrite' },
  wsDesktop: { table: 'readWrite' },
  wsLogin: { table: 'readWrite' },
  wsLogout: { table: 'readWrite' },
  wsAck: { table: 'readWrite', claimSettings: true },
  wsCatalogue: { table: 'readWrite' },
  wsLicences: { table: 'readWrite' },
  wsPing: {},
  wsDefault: {},
};
