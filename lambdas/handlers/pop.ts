import { randomUUID } from 'node:crypto';
import { connectionsClient } from '../clients/connectionsClient';
import { documentClient } from '../clients/documentClient';
import { callerFromEvent, requireApiCaller } from '../domain/callerIdentity';
import { onceForKey, parseIdempotencyKey, requestFingerprint } from '../domain/idempotency';
import { deliverPop } from '../domain/popDelivery';
import { connectionPusher } from '../domain/popPusher';
import { parseJsonBody } from '../domain/requestBody';
import { MAX_POP_BODY_BYTES, POP_REQUEST_SCHEMA, type PopRequest } from '../domain/schemas';
import { ApiError } from '../shared/apiError';
import { failureResponse, successResponse } from '../shared/envelope';
import { requestLogger } from '../shared/logger';
import { countMetric, METRIC } from '../shared/metrics';
import { headerValue, restHandler } from '../shared/restResponse';
import { ENV, positiveIntegerEnv, requireEnv } from '../shared/settings';
import { ConnectionStore } from '../store/connectionStore';
import { PopStore } from '../store/popStore';

const tableName = requireEnv(ENV.tableName);
const claimWindowMs = positiveIntegerEnv(ENV.claimWindowSeconds, 60) * 1000;
const retentionMs = positiveIntegerEnv(ENV.popRetentionDays, 3) * 24 * 60 * 60 * 1000;
const connections = new ConnectionStore(documentClient(), tableName);
const pops = new PopStore(documentClient(), tableName);
const push = connectionPusher(connectionsClient());

/** POST /pop: accept a pop from an api-caller and push it to the agent's Scripting instances. */
const popHandler = restHandler(async ({ event, requestId, log }) => {
  const caller = requireApiCaller(callerFromEvent(event));
  log.appendKeys({ tenant: caller.tenant });
  const request = parseJsonBody<PopRequest>(event.body, event.isBase64Encoded, POP_REQUEST_SCHEMA, MAX_POP_BODY_BYTES);
  const deliver = () =>
    deliverPop(
      { connections, pops, push, claimWindowMs, retentionMs, newPopId: randomUUID, now: Date.now, log },
      caller.tenant,
      request,
    );

  const key = parseIdempotencyKey(headerValue(event, 'Idempotency-Key'));
  if (key === undefined) return { statusCode: 202, result: await deliver() };

  const replay = await onceForKey(
    pops,
    { tenant: caller.tenant, key, fingerprint: requestFingerprint(caller.username, request) },
    async () => {
      try {
        return successResponse(202, await deliver(), requestId);
      } catch (error) {
        if (error instanceof ApiError && error.statusCode < 500) {
          return failureResponse(error.statusCode, { Code: error.code, Message: error.message, Details: error.details }, requestId, error.headers);
        }
        throw error;
      }
    },
  );
  return { replay };
});

/**
 * Metrics (platform, issue 7): every error answer of POST /pop counts as PopsRefused with Reason = its Error.Code,
 * read from the answer itself so each refusal counts once wherever it was decided (a replayed refusal counts again:
 * the caller was refused again).
 */
export const handler: typeof popHandler = async (event, context) => {
  const response = await popHandler(event, context);
  if (response.statusCode >= 400) {
    let reason = 'Unknown';
    try {
      reason = String((JSON.parse(response.body) as { Error?: { Code?: unknown } }).Error?.Code ?? reason);
    } catch {
      // Not an envelope: keep 'Unknown'.
    }
    countMetric(requestLogger(context), METRIC.popsRefused, 1, { Reason: reason });
  }
  return response;
};
