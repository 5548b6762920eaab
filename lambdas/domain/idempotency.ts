import { createHash } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { ApiError, apiErrors } from '../shared/apiError';
import type { PopStore } from '../store/popStore';

export const IDEMPOTENCY_LIFETIME_MS = 24 * 60 * 60 * 1000;
const KEY_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function parseIdempotencyKey(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  if (!KEY_PATTERN.test(raw)) {
    throw apiErrors.invalidRequest(['Idempotency-Key: must be 1 to 128 visible ASCII characters']);
  }
  return raw;
}

/** The same key must mean the same request: a key re-used for another body is refused, not answered wrongly. */
export function requestFingerprint(caller: string, request: unknown): string {
  return createHash('sha256').update(caller).update('\n').update(JSON.stringify(request)).digest('base64url');
}

/**
 * Run `execute` at most once per (tenant, key) for 24 hours. The first answer (success or refusal) is stored and
 * replayed; a failure of our own (5xx) is not stored, so the caller's retry runs again.
 */
export async function onceForKey(
  pops: PopStore,
  scope: { tenant: string; key: string; fingerprint: string },
  execute: () => Promise<APIGatewayProxyResult>,
): Promise<APIGatewayProxyResult> {
  const reservation = await pops.reserveIdempotencyKey(scope.tenant, scope.key, scope.fingerprint, IDEMPOTENCY_LIFETIME_MS);
  switch (reservation.kind) {
    case 'answered':
      return {
        statusCode: reservation.answer.statusCode,
        headers: { 'Content-Type': 'application/json; charset=utf-8', 'Idempotent-Replayed': 'true' },
        body: reservation.answer.body,
      };
    case 'inProgress':
      throw new ApiError(409, 'RequestInProgress', 'A request with this Idempotency-Key is still in progress; retry shortly.');
    case 'reusedForOtherRequest':
      throw new ApiError(422, 'IdempotencyKeyReused', 'This Idempotency-Key was already used for a different request.');
    case 'reserved':
      break;
  }
  let answer: APIGatewayProxyResult;
  try {
    answer = await execute();
  } catch (error) {
    await pops.releaseIdempotencyKey(scope.tenant, scope.key).catch(() => undefined);
    throw error;
  }
  if (answer.statusCode >= 500) {
    await pops.releaseIdempotencyKey(scope.tenant, scope.key).catch(() => undefined);
  } else {
    await pops.storeIdempotentAnswer(scope.tenant, scope.key, { statusCode: answer.statusCode, body: answer.body });
  }
  return answer;
}
