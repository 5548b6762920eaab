/**
 * POST /pop: accept a pop from an api-caller and push it to the agent's Scripting instances (delivery.ts), at most
 * once per Idempotency-Key (idempotency.ts). Every answer, a replay included, is shaped by lambdas/edge/restAnswer.ts;
 * every refusal counts as PopsRefused with Reason = its code, computed from the outcome.
 */
import PopRequestValidator from '../../contract/generated/PopRequest';
import { MAX_POP_BODY_BYTES, MAX_POP_MESSAGE_BYTES } from '../../contract/limits';
import type { PopRequest } from '../../contract/rest';
import { parseJsonBody } from '../edge/requestBody';
import {
  headerValue,
  restHandler,
  type ReplayedOutcome,
  type RestHandler,
  type RestInvocation,
} from '../edge/restHandler';
import type { RestOutcome } from '../edge/restAnswer';
import { apiCallerOf, type Caller } from '../auth/callerIdentity';
import { issuedAtOf, refusedIfRevoked, tableRevocations, type Revocations } from '../auth/revocations';
import { METRIC } from '../shared/metricNames';
import type { MetricsSink } from '../shared/metrics';
import { isRefused, refuse, refusals, type Refused } from '../shared/outcome';
import { withoutBlankReference } from './reference';
import { confirmPop, type PopOutcome } from './delivery';
import { heldDeliveryDependencies, type HeldDelivery } from './heldDependencies';
import { popOrHold } from './heldPops';
import { onceForKey, parseIdempotencyKey, requestFingerprint } from './idempotency';
import { randomUUID } from 'node:crypto';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export type PopDependencies = HeldDelivery & {
  /** Tokens of disabled or deleted users (lambdas/auth/revocations.ts); none checked when absent. */
  readonly revocations?: Revocations;
};

/**
 * The REST answer of a pop's outcome: 202 with its PopId, or the refusal. A pop whose push went unanswered is a 503
 * whose retry is safe: the retry finds this pop (its record claim, or its Idempotency-Key) and pushes the same PopId
 * again, which the instance opens at most once (delivery.ts confirmPop).
 */
export function popAnswer(outcome: PopOutcome): RestOutcome {
  if (outcome.kind === 'accepted')
    return { kind: 'success', status: 202, result: { PopId: outcome.popId, Status: 'Sent' } };
  if (outcome.kind === 'held')
    return { kind: 'success', status: 202, result: { PopId: outcome.popId, Status: 'Held' } };
  if (outcome.kind === 'unconfirmed') {
    return refusals.serviceUnavailable(
      `Pop ${outcome.popId} was pushed but its delivery was not confirmed; retry the same request: it will not be opened twice.`,
    );
  }
  return outcome;
}

async function popOperation(
  deps: PopDependencies,
  { event, requestId, log }: RestInvocation,
): Promise<RestOutcome | ReplayedOutcome> {
  const caller = apiCallerOf(event);
  if (isRefused(caller)) return caller;
  log.appendKeys({ tenant: caller.tenant });
  const revoked = await refusedIfRevoked(deps.revocations, caller.username, issuedAtOf(event));
  if (revoked) return revoked;
  const request = parseJsonBody<PopRequest>(event.body, event.isBase64Encoded, PopRequestValidator, MAX_POP_BODY_BYTES);
  if (request.kind === 'refused') return request;
  const pop = withoutBlankReference(request.value);
  const tooLarge = messageTooLarge(pop);
  if (tooLarge) return tooLarge;
  const key = parseIdempotencyKey(headerValue(event, 'Idempotency-Key'));
  if (isRefused(key)) return key;
  const deliver = () => popOrHold({ ...deps, log }, caller.tenant, pop);
  if (key.key === undefined) return popAnswer(await deliver());
  const once = await onceForKey(deps.pops, scopeOf(caller, key.key, pop, requestId), deliver);
  // An unconfirmed first answer is not replayed as it was: the repeat settles it (same body, so same request).
  if (once.replayOf !== undefined && once.outcome.kind === 'unconfirmed') {
    return popAnswer(await confirmPop({ ...deps, log }, caller.tenant, pop, once.outcome.popId));
  }
  const outcome = popAnswer(once.outcome);
  return once.replayOf === undefined ? outcome : { replayOf: once.replayOf, outcome };
}

/**
 * The Pop message delivery.ts pushes has a PopId (a UUID, 36 characters) and a SentAt (ISO 8601, 24 characters) of
 * fixed lengths, so its size is known before anything is claimed or stored. test/unit/fuzz/restHandlers.test.ts checks
 * this size against every message actually pushed.
 */
export function popMessageBytes(request: PopRequest): number {
  const { Username, Campaign, Reference, ScriptData } = request;
  const message = {
    Type: 'Pop',
    PopId: randomUUID(),
    Username,
    Campaign,
    Reference,
    ScriptData: ScriptData ?? {},
    SentAt: new Date(0).toISOString(),
  };
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

export function messageTooLarge(request: PopRequest): Refused | undefined {
  const bytes = popMessageBytes(request);
  if (bytes <= MAX_POP_MESSAGE_BYTES) return undefined;
  return refuse(
    'PayloadTooLarge',
    `The pop as pushed to the Scripting instance would be ${bytes} bytes (numbers are re-written in JSON's shortest form, e.g. 1e20 as 100000000000000000000); it must be at most ${MAX_POP_MESSAGE_BYTES} bytes.`,
  );
}

const scopeOf = (caller: Caller, key: string, request: PopRequest, requestId: string) => ({
  tenant: caller.tenant,
  key,
  fingerprint: requestFingerprint(caller.username, request),
  requestId,
});

export function makePopHandler(deps: PopDependencies): RestHandler {
  return restHandler((invocation) => popOperation(deps, invocation), {
    // Each refusal counts once wherever it was decided; a replayed refusal counts again: the caller was refused again.
    onOutcome: (outcome, { requestId }) => {
      if (outcome.kind === 'refused')
        deps.metrics.count({ [METRIC.popsRefused]: 1 }, { Reason: outcome.code }, { requestId });
    },
  });
}

/** The pop handler's dependencies from the settings and the clients of its container (or of a local stack). */
export function popDependencies(
  settings: Pick<Settings, 'tableName' | 'claimWindowSeconds' | 'popRetentionDays'>,
  clients: Pick<AwsClients, 'db' | 'management'>,
  metrics: MetricsSink,
): PopDependencies {
  return {
    ...heldDeliveryDependencies(settings, clients, metrics),
    revocations: tableRevocations(clients.db, settings.tableName),
  };
}
