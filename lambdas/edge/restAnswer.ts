/**
 * The one function that shapes every REST answer a Lambda gives: success or refusal, first answer or idempotent
 * replay, into the envelope (contract/rest.ts: SuccessEnvelope, FailureEnvelope) with the status the contract gives
 * each error code (ERROR_STATUS in contract/errors.ts). API Gateway's own answers use the same envelope
 * (gatewayResponses.ts).
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ERROR_STATUS } from '../../contract/errors';
import type { ErrorBody, FailureEnvelope, SuccessEnvelope } from '../../contract/rest';
import type { Refused } from '../shared/outcome';
import { API_VERSION } from '../shared/version';

/** A REST operation's outcome: its result with the operation's success status, or a refusal. */
export type RestOutcome = { readonly kind: 'success'; readonly status: 200 | 202; readonly result: unknown } | Refused;

const JSON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
};

/** The HTTP headers a refusal carries: the Basic challenge for missing credentials, Retry-After when it helps. */
export function refusalHeaders(refused: Refused): Record<string, string> {
  return {
    ...(refused.code === 'MissingCredentials'
      ? { 'WWW-Authenticate': 'Basic realm="Cloud API", charset="UTF-8"' }
      : {}),
    ...(refused.retryAfterSeconds !== undefined ? { 'Retry-After': String(refused.retryAfterSeconds) } : {}),
  };
}

export function statusOf(outcome: RestOutcome): number {
  return outcome.kind === 'success' ? outcome.status : ERROR_STATUS[outcome.code];
}

function envelope(outcome: RestOutcome, requestId: string): SuccessEnvelope<unknown> | FailureEnvelope {
  if (outcome.kind === 'success')
    return { Success: true, Result: outcome.result, Version: API_VERSION, RequestId: requestId };
  const error: ErrorBody = { Code: outcome.code, Message: outcome.message };
  if (outcome.details && outcome.details.length > 0) error.Details = [...outcome.details];
  return { Success: false, Result: null, Version: API_VERSION, RequestId: requestId, Error: error };
}

/**
 * The answer to a request. `requestId` is the one the envelope names: the request's own, or for a replay the first
 * request's, so that a replay is the first answer byte for byte.
 */
export function restAnswer(
  outcome: RestOutcome,
  requestId: string,
  options: { replayed?: boolean } = {},
): APIGatewayProxyResult {
  return {
    statusCode: statusOf(outcome),
    headers: {
      ...JSON_HEADERS,
      ...(outcome.kind === 'refused' ? refusalHeaders(outcome) : {}),
      ...(options.replayed ? { 'Idempotent-Replayed': 'true' } : {}),
    },
    body: JSON.stringify(envelope(outcome, requestId)),
  };
}
