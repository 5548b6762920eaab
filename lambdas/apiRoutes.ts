/**
 * The APIs' routes, in one place: the CDK stack builds its API Gateway routes and Lambdas from these tables and the
 * local gateway serves the same routes with the same handler modules (`lambdas/handlers/<handler>.ts`, export
 * `handler`). Adding a route here adds it in both places.
 */
export type HandlerName =
  | 'authToken'
  | 'authRefresh'
  | 'pop'
  | 'popStatus'
  | 'wsAuthorizer'
  | 'wsConnect'
  | 'wsDisconnect'
  | 'wsDesktop'
  | 'wsLogin'
  | 'wsLogout'
  | 'wsAck'
  | 'wsPing'
  | 'wsDefault';

export interface RestRoute {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path, `{Name}` for a path parameter. */
  readonly resource: string;
  readonly handler: HandlerName;
  /** `cognito`: the user pool authorizer on the IdToken (Authorization: Bearer). */
  readonly auth: 'none' | 'cognito';
}

export const REST_ROUTES: readonly RestRoute[] = [
  { method: 'GET', resource: '/auth', handler: 'authToken', auth: 'none' },
  { method: 'POST', resource: '/auth/refresh', handler: 'authRefresh', auth: 'none' },
  { method: 'POST', resource: '/pop', handler: 'pop', auth: 'cognito' },
  { method: 'GET', resource: '/pops/{PopId}', handler: 'popStatus', auth: 'cognito' },
];

export interface WebSocketRoute {
  readonly routeKey: string;
  readonly handler: HandlerName;
  /** Two-way route: the handler's `body` is sent back to the caller's connection. */
  readonly returnResponse: boolean;
}

/** Route selection: `$request.body.Action`; anything else (or not JSON) goes to `$default`. */
export const WEBSOCKET_ROUTE_SELECTION = '$request.body.Action';
export const WEBSOCKET_AUTHORIZER: HandlerName = 'wsAuthorizer';
/** The authorizer's single identity source: a request without it is refused with 401 before it runs. */
export const WEBSOCKET_IDENTITY_SOURCE = 'Authorization';

export const WEBSOCKET_ROUTES: readonly WebSocketRoute[] = [
  { routeKey: '$connect', handler: 'wsConnect', returnResponse: false },
  { routeKey: '$disconnect', handler: 'wsDisconnect', returnResponse: false },
  { routeKey: 'Desktop', handler: 'wsDesktop', returnResponse: true },
  { routeKey: 'Login', handler: 'wsLogin', returnResponse: true },
  { routeKey: 'Logout', handler: 'wsLogout', returnResponse: true },
  { routeKey: 'Ack', handler: 'wsAck', returnResponse: true },
  { routeKey: 'Ping', handler: 'wsPing', returnResponse: true },
  { routeKey: '$default', handler: 'wsDefault', returnResponse: true },
];

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
}

export const HANDLER_NEEDS: Readonly<Record<HandlerName, HandlerNeeds>> = {
  authToken: { userPool: true, adminGetUser: true },
  authRefresh: { userPool: true, adminGetUser: true },
  pop: { table: 'readWrite', manageConnections: true, claimSettings: true },
  popStatus: { table: 'read' },
  wsAuthorizer: { userPool: true },
  wsConnect: { table: 'readWrite' },
  wsDisconnect: { table: 'readWrite' },
  wsDesktop: { table: 'readWrite' },
  wsLogin: { table: 'readWrite' },
  wsLogout: { table: 'readWrite' },
  wsAck: { table: 'readWrite', claimSettings: true },
  wsPing: {},
  wsDefault: {},
};
