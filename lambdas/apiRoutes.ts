/**
 * The APIs' routes, in one place: the CDK stack builds its API Gateway routes and Lambdas from these tables and the
 * local gateway serves the same routes with the same handlers (lambdas/handlerFactories.ts builds them; in AWS
 * `lambdas/handlers/<handler>.ts`, export `handler`). The REST routes follow the contract's operations
 * (contract/operations.ts). Adding a route here adds it in both places.
 * Not imported by the Lambdas themselves: the contract's schemas it reads would weigh on every bundle.
 */
import { REST_OPERATIONS, type OperationId, type RestOperation } from '../contract/operations';
import type { HandlerName } from './handlerNeeds';

export { HANDLER_NEEDS, type HandlerName, type HandlerNeeds } from './handlerNeeds';

export interface RestRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway resource path, `{Name}` for a path parameter. */
  readonly resource: string;
  readonly handler: HandlerName;
  /** `cognito`: the user pool authorizer on the IdToken (Authorization: Bearer). */
  readonly auth: 'none' | 'cognito';
}

/** One route per REST operation of the contract, served by the handler of the same name. */
export const REST_ROUTES: readonly RestRoute[] = (
  Object.entries(REST_OPERATIONS) as [OperationId, RestOperation][]
).map(([operationId, operation]) => ({
  method: operation.method,
  resource: operation.path,
  handler: operationId,
  auth: operation.security === 'idToken' ? 'cognito' : 'none',
}));

export interface WebSocketRoute {
  readonly routeKey: string;
  readonly handler: HandlerName;
  /** Two-way route: the handler's `body` is sent back to the caller's connection. */
  readonly returnResponse: boolean;
}

/** Route selection: `$request.body.Action`; anything else (or not JSON) goes to `$default`. */
/**
 * The REST API's binary media types: all. API Gateway then hands every request body to the Lambda as the bytes it
 * received, base64 with `isBase64Encoded: true`; without them it treats a body as UTF-8 text and a body that is not
 * UTF-8 reaches the Lambda already rewritten, two different byte strings as one. The handlers decode strictly
 * (lambdas/edge/requestBody.ts: 400 for invalid UTF-8); Lambda answers are text (`isBase64Encoded` unset) and pass as
 * they are. The local gateway does the same (local/gateway/restEvent.ts).
 */
export const REST_BINARY_MEDIA_TYPES: readonly string[] = ['*/*'];

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
  { routeKey: 'Catalogue', handler: 'wsCatalogue', returnResponse: true },
  { routeKey: 'Licences', handler: 'wsLicences', returnResponse: true },
  { routeKey: 'Ping', handler: 'wsPing', returnResponse: true },
  { routeKey: '$default', handler: 'wsDefault', returnResponse: true },
];
