/**
 * Idempotency-Key: run a pop at most once per (tenant, key) for 24 hours. The first outcome (accepted or refused) is
 * stored with the request id it was answered under, and a repeat gets it back, shaped by the same function as the
 * first answer (lambdas/edge/restAnswer.ts), so byte for byte the same body. A failure of our own (a dependency down,
 * ServiceUnavailable, InternalError) is not stored, so the caller's retry runs again.
 */
import { createHash } from 'node:crypto';
import { ERROR_STATUS } from '../../contract/errors';
import { IDEMPOTENCY_KEY_PATTERN } from '../../contract/limits';
import { refuse, refusals, type Refused } from '../shared/outcome';
import type { PopStore } from './popStore';

export const IDEMPOTENCY_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type IdempotencyKey = { readonly kind: 'key'; readonly key: string | undefined } | Refused;

export function parseIdempotencyKey(raw: string | undefined): IdempotencyKey {
  if (raw === undefined) return { kind: 'key', key: undefined };
  if (!IDEMPOTENCY_KEY_PATTERN.test(raw))
    return refusals.invalidRequest(['Idempotency-Key: must be 1 to 128 visible ASCII characters']);
  return { kind: 'key', key: raw };
}

/** The same key must mean the same request: a key re-used for another body is refused, not answered wrongly. */
export function requestFingerprint(caller: string, request: unknown): string {
  return createHash('sha256').update(caller).update('\n').update(JSON.stringify(request)).digest('base64url');
}

export interface IdempotencyScope {
  readonly tenant: string;
  readonly key: string;
  readonly fingerprint: string;
  /** The id this request is answered under; a repeat is answered under it too. */
  readonly requestId: string;
}

/** The first outcome, or this run's; `replayOf` names the first request when it is a repeat. */
export type Once<T> = { readonly outcome: T | Refused; readonly replayOf?: string };

const ours = (outcome: { kind: string; code?: string }) =>
  outcome.kind === 'refused' && ERROR_STATUS[outcome.code as keyof typeof ERROR_STATUS] >= 500;

export async function onceForKey<T extends { readonly kind: string }>(
  pops: PopStore,
  scope: IdempotencyScope,
  execute: () => Promise<T | Refused>,
): Promise<Once<T>> {
  const reservation = await pops.reserveIdempotencyKey(
    scope.tenant,
    scope.key,
    scope.fingerprint,
    IDEMPOTENCY_LIFETIME_MS,
  );
  switch (reservation.kind) {
    case 'answered':
      return { outcome: reservation.answer.outcome as T | Refused, replayOf: reservation.answer.requestId };
    case 'inProgress':
      return {
        outcome: refuse(
          'RequestInProgress',
          'A request with this Idempotency-Key is still in progress; retry shortly.',
        ),
      };
    case 'reusedForOtherRequest':
      return {
        outcome: refuse('IdempotencyKeyReused', 'This Idempotency-Key was already used for a different request.'),
      };
    case 'reserved':
      break;
  }
  let outcome: T | Refused;
  try {
    outcome = await execute();
  } catch (error) {
    await pops.releaseIdempotencyKey(scope.tenant, scope.key).catch(() => undefined);
    throw error;
  }
  if (ours(outcome)) await pops.releaseIdempotencyKey(scope.tenant, scope.key).catch(() => undefined);
  else await pops.storeIdempotentAnswer(scope.tenant, scope.key, { requestId: scope.requestId, outcome });
  return { outcome };
}
