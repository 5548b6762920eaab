/**
 * The REST API at `/<stage>`: throttle, payload limit, route match, Lambda authorizer and the tenant's usage plan,
 * proxy event, handler, result. Whatever API Gateway answers itself is written from GATEWAY_ANSWERS in the contract's
 * envelope. Outside the stage, the usage plan and API key operations of the control plane (usagePlanApi.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { REST_ROUTES, type RestRoute } from '../../lambdas/apiRoutes';
import { GATEWAY_ANSWERS } from '../../lambdas/edge/gatewayResponses';
import { sendGatewayAnswer } from './answers';
import { BodyTooLargeError, readBody } from './body';
import {
  answerParserErrors,
  HEADER_LIMIT_BYTES,
  headerBytes,
  HEADERS_TOO_LARGE,
  PARSER_LIMIT_BYTES,
} from './headerLimit';
import { targetUrl } from './headers';
import { newRequestId } from './ids';
import type { LambdaRuntime } from './lambdaRuntime';
import { invocationFailureStatus } from './lambdaRuntime';
import { errorSummary, type GatewayLog } from './log';
import { MalformedProxyResultError, parseProxyResult, writeProxyResult } from './proxyResult';
import { authorizeRest } from './restAuthorizer';
import { restProxyEvent } from './restEvent';
import { RestRouter } from './restRoutes';
import { MethodThrottles, type ThrottleSettings } from './throttle';
import { answerControlPlane, isControlPlanePath } from './usagePlanApi';
import type { UsagePlans } from './usagePlans';
import type { CognitoAuthorizer } from './cognitoAuthorizer';

export interface RestServerOptions {
  readonly stage: string;
  readonly apiId: string;
  readonly runtime: LambdaRuntime;
  readonly region: string;
  readonly accountId: string;
  /** The stage's usage plans and API keys; the control-plane emulation edits them. */
  readonly usagePlans: UsagePlans;
  /** The routes that take a token require their tenant's API key on a usage plan (lib/restApi.ts apiKeyRequired). */
  readonly apiKeyRequired: boolean;
  /**
   * The bench's baseline only (bench/edgeCost.ts): API Gateway's Cognito authorizer in the gateway, as before the
   * Lambda authorizer and limits per tenant, with no usage plan. @default - the Lambda authorizer
   */
  readonly cognitoBaseline?: CognitoAuthorizer;
  readonly log: GatewayLog;
  readonly bodyLimitBytes: number;
  /** The stage's default, applied to each method on its own, as API Gateway does. */
  readonly throttle?: ThrottleSettings;
  /** Per-method overrides by `<METHOD> <resource>` (lib/restApi.ts: the /auth routes' lower limit). */
  readonly methodThrottles?: Readonly<Record<string, ThrottleSettings>>;
}

interface RestRequest {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly started: number;
  readonly url: URL;
  readonly method: string;
}

/** The gateway's one log line per request. */
function logDone(options: RestServerOptions, request: RestRequest, status: number, note = ''): void {
  options.log.info(
    `REST ${request.method} ${request.url.pathname} -> ${status} ${Date.now() - request.started}ms${note}`,
  );
}

/** The method's throttle and the payload limit: the body, or undefined once answered (429, 413). */
async function admit(
  options: RestServerOptions,
  throttled: boolean,
  request: RestRequest,
): Promise<Buffer | undefined> {
  const { req, res, requestId } = request;
  if (throttled) {
    req.resume();
    sendGatewayAnswer(res, GATEWAY_ANSWERS.throttled, requestId);
    return void logDone(options, request, 429);
  }
  try {
    return await readBody(req, options.bodyLimitBytes);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) throw error;
    sendGatewayAnswer(res, GATEWAY_ANSWERS.requestTooLarge, requestId);
    return void logDone(options, request, 413);
  }
}

/** The Lambda authorizer on routes that take a token: fills the event's authorizer context, or false once answered. */
async function authorize(
  options: RestServerOptions,
  request: RestRequest,
  route: RestRoute,
  event: ReturnType<typeof restProxyEvent>,
): Promise<boolean> {
  if (route.auth !== 'cognito') return true;
  if (options.cognitoBaseline) return authorizeBaseline(options, options.cognitoBaseline, request, event);
  const setup = { ...options, ...(options.apiKeyRequired ? {} : { usagePlans: undefined }) };
  const outcome = await authorizeRest(setup, event, request.req.headers.authorization);
  if (outcome.ok) {
    event.requestContext.authorizer = outcome.authorizer;
    return true;
  }
  const status = outcome.answer.statusCode ?? 500;
  sendGatewayAnswer(request.res, outcome.answer, request.requestId, status);
  logDone(options, request, status, ` (${outcome.answer.type}: ${outcome.why})`);
  return false;
}

/** The Cognito authorizer's claims (the bench's baseline), or false once answered 401. */
async function authorizeBaseline(
  options: RestServerOptions,
  authorizer: CognitoAuthorizer,
  request: RestRequest,
  event: ReturnType<typeof restProxyEvent>,
): Promise<boolean> {
  const outcome = await authorizer.authorize(request.req.headers.authorization);
  if (outcome.ok) {
    event.requestContext.authorizer = { claims: outcome.claims };
    return true;
  }
  sendGatewayAnswer(request.res, outcome.answer, request.requestId);
  logDone(options, request, outcome.answer.statusCode ?? 401, ` (${outcome.answer.type})`);
  return false;
}

/** API Gateway's control plane for usage plans and API keys, on this port (local/README.md). */
async function controlPlane(options: RestServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = await readBody(req, options.bodyLimitBytes);
  answerControlPlane(options.usagePlans, req, res, raw);
}

/** Invokes the route's handler and writes its proxy result; 502 on an error or a malformed result, 504 on timeout. */
async function invokeHandler(
  options: RestServerOptions,
  request: RestRequest,
  handler: RestRoute['handler'],
  event: unknown,
): Promise<void> {
  const { res, requestId } = request;
  let result;
  try {
    result = parseProxyResult(await options.runtime.invoke(handler, event));
  } catch (error) {
    // API Gateway: a Lambda error, a function timeout or a malformed proxy result is a 502, a refused invocation
    // (throttle) a 500, the integration timeout a 504; the event is not logged.
    const status = invocationFailureStatus(error);
    const what = error instanceof MalformedProxyResultError ? 'returned a malformed proxy result' : 'failed';
    options.log.error(`REST handler ${handler} ${what}: ${errorSummary(error)} (requestId ${requestId})`);
    sendGatewayAnswer(res, GATEWAY_ANSWERS.default5xx, requestId, status);
    return logDone(options, request, status);
  }
  writeProxyResult(res, result, requestId);
  logDone(options, request, result.statusCode);
}

/** One request: throttle, payload limit, route match, authorizer, proxy event, handler, result. */
async function handle(
  options: RestServerOptions,
  router: RestRouter,
  throttles: MethodThrottles,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const started = Date.now();
  const request: RestRequest = {
    req,
    res,
    requestId: newRequestId(),
    started,
    url: targetUrl(req),
    method: req.method ?? 'GET',
  };
  if (headerBytes(req) > HEADER_LIMIT_BYTES) {
    req.resume();
    sendGatewayAnswer(res, HEADERS_TOO_LARGE, request.requestId);
    return logDone(options, request, HEADERS_TOO_LARGE.statusCode ?? 400, ' (headers too large)');
  }
  const prefix = `/${options.stage}`;
  const rawPath = (req.url ?? '/').split('?')[0]!;
  if (!rawPath.startsWith(`${prefix}/`) && isControlPlanePath(rawPath)) return controlPlane(options, req, res);
  const path = rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : undefined;
  const match = path === undefined ? undefined : router.match(request.method, path);
  const throttled = match !== undefined && !throttles.take(match.route.method, match.route.resource);
  const body = await admit(options, throttled, request);
  if (body === undefined) return;
  if (!match || path === undefined) {
    sendGatewayAnswer(res, GATEWAY_ANSWERS.missingAuthenticationToken, request.requestId);
    return logDone(options, request, GATEWAY_ANSWERS.missingAuthenticationToken.statusCode ?? 404);
  }
  const event = restProxyEvent({
    req,
    url: request.url,
    stage: options.stage,
    path,
    route: match.route,
    pathParameters: match.pathParameters,
    body,
    requestId: request.requestId,
    requestTimeEpoch: started,
    apiId: options.apiId,
    port: (req.socket.localPort as number | undefined) ?? 0,
  });
  if (!(await authorize(options, request, match.route, event))) return;
  await invokeHandler(options, request, match.route.handler, event);
}

export function createRestServer(options: RestServerOptions): Server {
  const router = new RestRouter(REST_ROUTES);
  const throttles = new MethodThrottles(options.throttle, options.methodThrottles);
  const server = createServer({ maxHeaderSize: PARSER_LIMIT_BYTES }, (req, res) => {
    handle(options, router, throttles, req, res).catch((error) => {
      options.log.error(`REST gateway failure: ${errorSummary(error)}`);
      if (!res.headersSent) sendGatewayAnswer(res, GATEWAY_ANSWERS.default5xx, newRequestId());
      else res.destroy();
    });
  });
  // Idle keep-alive sockets are closed by the client, never by the gateway: a server that closes an idle socket
  // races a client reusing it (undici's `SocketError: other side closed` in test/e2e/localStack.test.ts on a loaded
  // machine, where the client's 4 s idle timer fired late and the gateway's 5 s one on time). Without a
  // keepAliveTimeout Node sends no Keep-Alive hint and clients keep their own shorter idle timeout; stop() closes all.
  server.keepAliveTimeout = 0;
  answerParserErrors(server, options.log);
  return server;
}
