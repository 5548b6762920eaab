/**
 * The REST operations: path, method, who may call, the body, the success answer and every refusal with its codes.
 * lambdas/apiRoutes.ts binds each operation to its handler; docs/openApiDocument.ts describes them from here.
 */
import type { TSchema } from '@sinclair/typebox';
import type { ErrorCode } from './errors';
import { PopAccepted, PopRequest, PopStatusResult, RefreshedTokenResult, RefreshRequest, TokenResult } from './rest';

export type OperationId = 'authToken' | 'authRefresh' | 'pop' | 'popStatus';

export interface Refusal {
  readonly description: string;
  readonly codes: readonly ErrorCode[];
}

export interface RestOperation {
  readonly method: 'GET' | 'POST';
  /** API Gateway resource path, `{Name}` for a path parameter. */
  readonly path: string;
  readonly summary: string;
  /** `basic`: credentials in the Authorization header; `idToken`: the Cognito authorizer; `none`: the body carries it. */
  readonly security: 'basic' | 'idToken' | 'none';
  readonly body?: { readonly name: string; readonly schema: TSchema };
  readonly success: { readonly status: 200 | 202; readonly description: string; readonly name: string; readonly result: TSchema };
  readonly refusals: Readonly<Partial<Record<number, Refusal>>>;
}

/** Answers API Gateway itself can give on any operation (Gateway Responses, lambdas/shared/gatewayResponses.ts). */
const gatewayRefusals = {
  413: { description: 'The body is larger than API Gateway accepts.', codes: ['PayloadTooLarge'] },
  429: { description: 'Throttled; `Retry-After` says when to retry.', codes: ['TooManyRequests'] },
  500: { description: 'The service failed; retry later.', codes: ['InternalError'] },
} as const satisfies Record<number, Refusal>;

const tokenRefusals = {
  401: { description: 'No valid IdToken.', codes: ['Unauthorized'] },
  403: { description: "The token is not an api-caller's.", codes: ['Forbidden'] },
} as const satisfies Record<number, Refusal>;

export const REST_OPERATIONS: Readonly<Record<OperationId, RestOperation>> = {
  authToken: {
    method: 'GET',
    path: '/auth',
    summary: 'Exchange Basic credentials for tokens',
    security: 'basic',
    success: { status: 200, description: 'Authenticated.', name: 'TokenResult', result: TokenResult },
    refusals: {
      ...gatewayRefusals,
      400: { description: 'The Authorization header is not valid Basic credentials.', codes: ['InvalidAuthorizationHeader'] },
      401: { description: 'No credentials, or wrong username or password (one answer for all).', codes: ['MissingCredentials', 'NotAuthorized'] },
      403: { description: 'The user must have a new password set by the vendor.', codes: ['PasswordResetRequired'] },
      502: { description: 'The identity provider failed.', codes: ['UpstreamError'] },
    },
  },
  authRefresh: {
    method: 'POST',
    path: '/auth/refresh',
    summary: 'Exchange a RefreshToken for new tokens',
    security: 'none',
    body: { name: 'RefreshRequest', schema: RefreshRequest },
    success: { status: 200, description: 'Refreshed.', name: 'RefreshedTokenResult', result: RefreshedTokenResult },
    refusals: {
      ...gatewayRefusals,
      400: { description: 'The body is not valid; Details name each bad field.', codes: ['InvalidRequest'] },
      401: { description: 'The RefreshToken is invalid, expired or revoked.', codes: ['NotAuthorized'] },
      413: { description: 'The body is too large.', codes: ['PayloadTooLarge'] },
      502: { description: 'The identity provider failed.', codes: ['UpstreamError'] },
    },
  },
  pop: {
    method: 'POST',
    path: '/pop',
    summary: "Pop a Workflow onto an agent's Desktop",
    security: 'idToken',
    body: { name: 'PopRequest', schema: PopRequest },
    success: { status: 202, description: "Accepted and pushed to the agent's Scripting instances.", name: 'PopAccepted', result: PopAccepted },
    refusals: {
      ...gatewayRefusals,
      ...tokenRefusals,
      400: { description: 'The body or the Idempotency-Key is not valid; Details name each one.', codes: ['InvalidRequest'] },
      404: { description: 'The agent is on no connected Desktop of your tenant.', codes: ['AgentNotOnDesktop'] },
      409: {
        description: 'The record was just popped for another agent, or the same pop (or Idempotency-Key) is still in progress.',
        codes: ['RecordOpenElsewhere', 'RequestInProgress'],
      },
      413: { description: 'The body is too large (31 KB at most).', codes: ['PayloadTooLarge'] },
      422: { description: 'The Idempotency-Key was used for another request.', codes: ['IdempotencyKeyReused'] },
      503: { description: 'A dependency is unavailable; retry with back-off and the same Idempotency-Key.', codes: ['ServiceUnavailable'] },
    },
  },
  popStatus: {
    method: 'GET',
    path: '/pops/{PopId}',
    summary: "Read a pop's status",
    security: 'idToken',
    success: { status: 200, description: 'The pop.', name: 'PopStatusResult', result: PopStatusResult },
    refusals: {
      ...gatewayRefusals,
      ...tokenRefusals,
      404: { description: 'No such pop for your tenant.', codes: ['PopNotFound'] },
      503: { description: 'A dependency is unavailable; retry with back-off.', codes: ['ServiceUnavailable'] },
    },
  },
};
