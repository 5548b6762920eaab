/**
 * The REST API at `/<stage>`: throttle, payload limit, route match, Cognito authorizer, proxy event, handler, result.
 * Whatever API Gateway answers itself is written from GATEWAY_ANSWERS in the contract's envelope.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'http';
import { REST_ROUTES } from '../../lambdas/apiRoutes';
import { GATEWAY_ANSWERS } from '../../lambdas/edge/gatewayResponses';
import { sendGatewayAnswer } from './answers';
import { BodyTooLargeError, readBody } from './body';
import type { CognitoAuthorizer } from './cognitoAuthorizer';
import { newRequestId } from './ids';
import type { LambdaRuntime } from './lambdaRuntime';
import { HandlerTimeoutError } from './lambdaRuntime';
import { describeError, type GatewayLog } from './log';
import { MalformedProxyResultError, parseProxyResult, writeProxyResult } from './proxyResult';
import { restProxyEvent } from './restEvent';
import { RestRouter } from './restRoutes';
import { TokenBucket, type ThrottleSettings } from './throttle';

export interface RestServerOptions {
  readonly stage: string;
  readonly apiId: string;
  readonly runtime: LambdaRuntime;
  readonly authorizer: CognitoAuthorizer;
  readonly log: GatewayLog;
  readonly bodyLimitBytes: number;
  readonly throttle?: ThrottleSettings;
}

export function createRestServer(options: RestServerOptions): Server {
  const router = new RestRouter(REST_ROUTES);
  const bucket = options.throttle ? new TokenBucket(options.throttle) : undefined;
  const server = createServer((req, res) => {
    handle(req, res).catch((error) => {
      options.log.error(`REST gateway failure: ${describeError(error)}`);
      if (!res.headersSent) sendGatewayAnswer(res, GATEWAY_ANSWERS.default5xx, newRequestId());
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://local');
    const method = req.method ?? 'GET';
    const done = (status: number, note = '') =>
      options.log.info(`REST ${method} ${url.pathname} -> ${status} ${Date.now() - started}ms${note}`);

    if (bucket && !bucket.take()) {
      req.resume();
      sendGatewayAnswer(res, GATEWAY_ANSWERS.throttled, requestId);
      return done(429);
    }
    let body: Buffer;
    try {
      body = await readBody(req, options.bodyLimitBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) throw error;
      sendGatewayAnswer(res, GATEWAY_ANSWERS.requestTooLarge, requestId);
      return done(413);
    }

    const prefix = `/${options.stage}`;
    const rawPath = (req.url ?? '/').split('?')[0]!;
    const path = rawPath.startsWith(`${prefix}/`) ? rawPath.slice(prefix.length) : undefined;
    const match = path === undefined ? undefined : router.match(method, path);
    if (!match || path === undefined) {
      sendGatewayAnswer(res, GATEWAY_ANSWERS.missingAuthenticationToken, requestId);
      return done(GATEWAY_ANSWERS.missingAuthenticationToken.statusCode ?? 404);
    }

    let claims: Record<string, string> | undefined;
    if (match.route.auth === 'cognito') {
      const outcome = await options.authorizer.authorize(req.headers.authorization);
      if (!outcome.ok) {
        sendGatewayAnswer(res, outcome.answer, requestId);
        return done(outcome.answer.statusCode ?? 401, ` (${outcome.answer.type})`);
      }
      claims = outcome.claims;
    }

    const event = restProxyEvent({
      req,
      url,
      stage: options.stage,
      path,
      route: match.route,
      pathParameters: match.pathParameters,
      body,
      requestId,
      requestTimeEpoch: started,
      apiId: options.apiId,
      port: (req.socket.localPort as number | undefined) ?? 0,
      ...(claims ? { claims } : {}),
    });

    let result;
    try {
      result = parseProxyResult(await options.runtime.invoke(match.route.handler, event));
    } catch (error) {
      // API Gateway: a Lambda error or a malformed proxy result is a 502, a timeout a 504; the event is not logged.
      const status = error instanceof HandlerTimeoutError ? 504 : 502;
      const what = error instanceof MalformedProxyResultError ? 'returned a malformed proxy result' : 'failed';
      options.log.error(`REST handler ${match.route.handler} ${what}: ${describeError(error)} (requestId ${requestId})`);
      sendGatewayAnswer(res, GATEWAY_ANSWERS.default5xx, requestId, status);
      return done(status);
    }
    writeProxyResult(res, result, requestId);
    return done(result.statusCode);
  }

  return server;
}
