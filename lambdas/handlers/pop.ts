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
export const handler = restHandler(async ({ event, requestId, log }) => {
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
