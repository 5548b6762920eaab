/**
 * How the domain says no: a typed refusal naming one of the contract's error codes (contract/errors.ts), with a
 * message for a person and, where they help, the problems found and when to retry. No HTTP here: the edge adapters
 * (lambdas/edge/) turn a refusal into a status, headers and the envelope, or into a WebSocket Error message.
 */
import type { ErrorCode } from '../../contract/errors';

export interface Refused {
  readonly kind: 'refused';
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly string[];
  /** The caller may retry after this many seconds (HTTP `Retry-After`). */
  readonly retryAfterSeconds?: number;
}

export function refuse(
  code: ErrorCode,
  message: string,
  extra: { details?: readonly string[]; retryAfterSeconds?: number } = {},
): Refused {
  return {
    kind: 'refused',
    code,
    message,
    ...(extra.details && extra.details.length > 0 ? { details: extra.details } : {}),
    ...(extra.retryAfterSeconds !== undefined ? { retryAfterSeconds: extra.retryAfterSeconds } : {}),
  };
}

export const isRefused = (value: unknown): value is Refused =>
  typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'refused';

export const refusals = {
  invalidRequest: (details: readonly string[], message = 'The request is not valid.') =>
    refuse('InvalidRequest', message, { details }),
  forbidden: (message = 'This identity may not call this operation.') => refuse('Forbidden', message),
  serviceUnavailable: (message = 'The service is temporarily unavailable; retry with back-off.') =>
    refuse('ServiceUnavailable', message, { retryAfterSeconds: 1 }),
};
