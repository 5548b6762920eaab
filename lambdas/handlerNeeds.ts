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
  | 'holdExpiry'
  | 'restAuthorizer'
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
 * The DynamoDB actions a function's code calls, named as IAM names them: lib-dynamodb's GetCommand is GetItem,
 * PutCommand PutItem, UpdateCommand UpdateItem, DeleteCommand DeleteItem, QueryCommand Query, BatchWriteCommand
 * BatchWriteItem. Nothing scans, batch-reads or transacts, so Scan, BatchGetItem and TransactWriteItems are never granted.
 */
export type TableAction = 'GetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem';

/** The Cognito user pool actions a function calls with its role (DescribeUserPoolClient: the app client's secret). */
export type CognitoAction = 'AdminGetUser' | 'AdminInitiateAuth' | 'DescribeUserPoolClient';

/**
 * What each function may touch, so the stack grants exactly this and nothing more (lib/functions.ts), and
 * test/cdk/leastPrivilege.test.ts fails on any action of a role that this table does not list.
 * table: the DynamoDB actions it calls (Query also on the ByConnection index); manageConnections: PostToConnection
 * (execute-api:ManageConnections on POST @connections only); cognito: user pool actions; userPool: the pool id and
 * client id in the environment.
 */
export interface HandlerNeeds {
  readonly table?: readonly TableAction[];
  readonly manageConnections?: boolean;
  /** GetConnection (execute-api:ManageConnections on GET @connections only): count only connections a push would reach. */
  readonly probeConnections?: boolean;
  readonly cognito?: readonly CognitoAction[];
  readonly userPool?: boolean;
  readonly claimSettings?: boolean;
  /** Invoked by the table's stream (pop items only), not by a route. */
  readonly popStream?: boolean;
  /** The webhook delivery queue (lib/webhooks.ts): `send` to it, or `consume` it (its event source, visibility changes). */
  readonly webhookQueue?: 'send' | 'consume';
  /** The hold timer's queue (lib/heldPops.ts): `send` a held pop's timer, or `consume` it (lambdas/pops/holdExpiry.ts). */
  readonly holdQueue?: 'send' | 'consume';
  /**
   * The webhook secrets' KMS key (lib/webhookKey.ts, lambdas/webhooks/secretBox.ts): `seal` new secrets
   * (kms:GenerateDataKey), or `open` them to sign (kms:Decrypt). No other function may use it.
   */
  readonly webhookKey?: 'seal' | 'open';
}

/** Record claims, idempotency keys, pops, delivery records and the removal of a gone connection (batch deletes). */
const POP_WRITER: readonly TableAction[] = [
  'GetItem',
  'Query',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
];
/** The WebSocket routes keep the connection, its presence, Desktop parts and catalogue (batch deletes on replace). */
const CONNECTION_WRITER: readonly TableAction[] = POP_WRITER;

export const HANDLER_NEEDS: Readonly<Record<HandlerName, HandlerNeeds>> = {
  // Server-side sign-in with the client's secret, read once per container (lambdas/auth/appClient.ts).
  authToken: { userPool: true, cognito: ['AdminInitiateAuth', 'AdminGetUser', 'DescribeUserPoolClient'] },
  authRefresh: { userPool: true, cognito: ['AdminInitiateAuth', 'AdminGetUser', 'DescribeUserPoolClient'] },
  pop: { table: POP_WRITER, manageConnections: true, claimSettings: true },
  // One pop, read strongly consistent; still Sent a claim window after it was sent, it reads Expired (Unconfirmed).
  popStatus: { table: ['GetItem'], claimSettings: true },
  // Tells the instances the pop was pushed to (a Recall message) and gives its record claim back.
  popRecall: { table: POP_WRITER, manageConnections: true },
  // Plans a pop without making it: the agents' connections only.
  popValidate: { table: ['Query'], probeConnections: true },
  campaigns: { table: ['Query'], probeConnections: true },
  campaign: { table: ['Query'], probeConnections: true },
  // Reading the feed closes gaps a dead writer left (lambdas/events/eventLog.ts): a conditional write.
  events: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
  // Queues one webhook delivery per matching endpoint after it appends an event (lambdas/webhooks/enqueue.ts).
  popStream: {
    table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'],
    popStream: true,
    claimSettings: true,
    webhookQueue: 'send',
    // A pop stored Held starts its timer (lambdas/pops/holdTimer.ts).
    holdQueue: 'send',
  },
  // Validating a URL resolves its host (lambdas/webhooks/urlGuard.ts); nothing is queued, so no queue grant.
  webhookCreate: { table: ['Query', 'PutItem'], webhookKey: 'seal' },
  webhookList: { table: ['Query'] },
  webhookGet: { table: ['GetItem'] },
  webhookDelete: { table: ['DeleteItem'] },
  // Reads the item first: a secret stored plain before encryption is sealed as the previous one (webhookStore.ts).
  webhookRotate: { table: ['GetItem', 'UpdateItem'], webhookKey: 'seal' },
  // The test delivery is queued like any other: the sender signs it, so no key here.
  webhookTest: { table: ['GetItem'], webhookQueue: 'send' },
  // Records each endpoint's state; the queue's consumer (lambdas/webhooks/senderHandler.ts).
  webhookSender: { table: ['GetItem', 'UpdateItem'], webhookQueue: 'consume', webhookKey: 'open' },
  // The REST routes' authorizer: the IdToken, its revocation, the tenant's usage plan key (lambdas/auth/restAuthorizer.ts).
  restAuthorizer: { userPool: true, table: ['GetItem'] },
  // Refuses a token revoked by disabling its user (lambdas/auth/revocations.ts).
  wsAuthorizer: { userPool: true, table: ['GetItem'] },
  wsConnect: { table: CONNECTION_WRITER },
  wsDisconnect: { table: CONNECTION_WRITER },
  // An agent's appearance delivers the pops held for it: pushes, record claims (lambdas/pops/heldPops.ts).
  wsDesktop: { table: CONNECTION_WRITER, manageConnections: true, claimSettings: true },
  wsLogin: { table: CONNECTION_WRITER, manageConnections: true, claimSettings: true },
  wsLogout: { table: CONNECTION_WRITER },
  // A pop's acknowledgement: the pop and its claim; no batch writes.
  wsAck: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], claimSettings: true },
  wsCatalogue: { table: CONNECTION_WRITER },
  wsLicences: { table: CONNECTION_WRITER },
  wsPing: {},
  wsDefault: {},
  // A held pop's deadline: Held -> Expired, its turn and record lock deleted; hides a message not yet due again.
  holdExpiry: { table: ['GetItem', 'UpdateItem', 'DeleteItem'], holdQueue: 'consume' },
};
