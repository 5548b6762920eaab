import { API_VERSION } from '../shared/version';

/**
 * API Gateway's own answers (before or instead of a Lambda), rewritten into the contract's envelope.
 * The CDK stack turns each into a Gateway Response template; the local gateway renders the same bodies.
 * Only response types this API can meet: no EXPIRED_TOKEN or INVALID_SIGNATURE (SigV4 credentials, which no route
 * takes; an expired IdToken is UNAUTHORIZED), no binary media; anything else API Gateway
 * answers itself still gets the envelope through DEFAULT_4XX / DEFAULT_5XX.
 */
export interface GatewayAnswer {
  /** API Gateway's ResponseType. */
  readonly type: string;
  /** Omitted for the DEFAULT_* catch-alls: API Gateway then keeps the status of the error it answers (404, 405, 502...). */
  readonly statusCode?: number;
  readonly code: string;
  readonly message: string;
  readonly headers?: Readonly<Record<string, string>>;
}

const ANSWERS = {
  unauthorized: {
    type: 'UNAUTHORIZED',
    statusCode: 401,
    code: 'Unauthorized',
    // Also the answer to an expired IdToken (API Gateway's Cognito authorizer does not tell them apart).
    message:
      'A valid, unexpired IdToken is required: send Authorization: Bearer <IdToken> from GET /auth (or POST /auth/refresh).',
  },
  accessDenied: {
    type: 'ACCESS_DENIED',
    statusCode: 403,
    code: 'Forbidden',
    message: 'This identity may not call this operation.',
  },
  /**
   * The tenant's API key (named by the REST authorizer, lambdas/auth/restAuthorizer.ts) is on no usage plan of the
   * stage, or disabled: the tenant was not provisioned with one (docs/edge.md, `tenant keys`).
   */
  invalidApiKey: {
    type: 'INVALID_API_KEY',
    statusCode: 403,
    code: 'Forbidden',
    message: 'This tenant has no usage plan on this API yet: ask the vendor to provision it.',
  },
  missingAuthenticationToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    code: 'NotFound',
    message: 'No such resource or method.',
  },
  requestTooLarge: {
    type: 'REQUEST_TOO_LARGE',
    statusCode: 413,
    code: 'PayloadTooLarge',
    message: 'The request body is too large.',
  },
  throttled: {
    type: 'THROTTLED',
    statusCode: 429,
    code: 'TooManyRequests',
    message: 'Too many requests: retry after a short back-off.',
    headers: { 'Retry-After': '1' },
  },
  badRequestBody: {
    type: 'BAD_REQUEST_BODY',
    statusCode: 400,
    code: 'InvalidRequest',
    message: 'The request body does not match the schema.',
  },
  /**
   * The REST authorizer (lambdas/auth/restAuthorizer.ts) failed: an error or a timeout, most often a dependency it
   * reads being down (the table, for revocations). API Gateway answers AuthorizerConfigurationException (500) by
   * default; like the handlers' own dependency failures it is retry-safe, so it is 503 with Retry-After.
   */
  authorizerConfigurationError: {
    type: 'AUTHORIZER_CONFIGURATION_ERROR',
    statusCode: 503,
    code: 'ServiceUnavailable',
    message: 'The token could not be checked just now: retry after a short back-off.',
    headers: { 'Retry-After': '1' },
  },
  /** The same, where API Gateway names it AUTHORIZER_FAILURE. */
  authorizerFailure: {
    type: 'AUTHORIZER_FAILURE',
    statusCode: 503,
    code: 'ServiceUnavailable',
    message: 'The token could not be checked just now: retry after a short back-off.',
    headers: { 'Retry-After': '1' },
  },
  default4xx: {
    type: 'DEFAULT_4XX',
    code: 'BadRequest',
    message: 'The request was refused.',
  },
  default5xx: {
    type: 'DEFAULT_5XX',
    code: 'InternalError',
    message: 'The service could not complete the request; retry later.',
  },
} as const satisfies Record<string, GatewayAnswer>;

export type GatewayAnswerName = keyof typeof ANSWERS;
export const GATEWAY_ANSWERS: Readonly<Record<GatewayAnswerName, GatewayAnswer>> = ANSWERS;

/** The body as a Gateway Response mapping template (API Gateway fills `$context.requestId`). */
export function gatewayAnswerTemplate(answer: GatewayAnswer): string {
  return JSON.stringify({
    Success: false,
    Result: null,
    Version: API_VERSION,
    RequestId: '$context.requestId',
    Error: { Code: answer.code, Message: answer.message },
  });
}

/** The same body as the local gateway sends it. */
export function gatewayAnswerBody(answer: GatewayAnswer, requestId: string): string {
  return gatewayAnswerTemplate(answer).replace('$context.requestId', requestId);
}
