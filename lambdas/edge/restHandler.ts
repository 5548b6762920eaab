/**
 * The REST adapter every REST Lambda runs in: the API Gateway event goes in, the operation returns a typed outcome,
 * and restAnswer.ts shapes the answer. A failure of ours never escapes as a stack trace: a dependency that failed
 * becomes a retryable ServiceUnavailable, anything else InternalError, both logged without the event.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ERROR_STATUS } from '../../contract/errors';
import { isDependencyFailure } from '../shared/dependencyFailure';
import { requestLogger, type RequestLogger } from '../shared/logger';
import { refuse, refusals } from '../shared/outcome';
import { restAnswer, type RestOutcome } from './restAnswer';

export interface RestInvocation {
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly log: RequestLogger;
}

/** An outcome replayed from an earlier request (Idempotency-Key): shaped with that request's id. */
export interface ReplayedOutcome {
  readonly replayOf: string;
  readonly outcome: RestOutcome;
}

export type RestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

export interface RestHandlerOptions {
  /** Sees every outcome, refusals of the adapter itself included, before it is shaped (metrics). */
  readonly onOutcome?: (outcome: RestOutcome, invocation: RestInvocation) => void;
}

function failureOutcome(error: unknown, log: RequestLogger): RestOutcome {
  const reason = { errorName: (error as Error)?.name, reason: (error as Error)?.message };
  if (isDependencyFailure(error)) {
    log.error('A dependency failed', reason);
    return refusals.serviceUnavailable();
  }
  log.error('Unexpected failure', reason);
  return refuse('InternalError', 'The service could not complete the request; retry later.');
}

export function restHandler(
  operation: (invocation: RestInvocation) => Promise<RestOutcome | ReplayedOutcome>,
  options: RestHandlerOptions = {},
): RestHandler {
  return async (event, context) => {
    // API Gateway's request id is the one callers see in Gateway Responses; prefer it for one id end to end.
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const log = requestLogger(context, { apiRequestId: requestId });
    const invocation = { event, requestId, log };
    let answered: RestOutcome | ReplayedOutcome;
    try {
      answered = await operation(invocation);
      const refused = 'replayOf' in answered ? undefined : answered.kind === 'refused' ? answered : undefined;
      if (refused && ERROR_STATUS[refused.code] >= 500)
        log.error('Request failed', { code: refused.code, reason: refused.message });
    } catch (error) {
      answered = failureOutcome(error, log);
    }
    const replay = 'replayOf' in answered ? answered : undefined;
    const outcome = replay ? replay.outcome : (answered as RestOutcome);
    options.onOutcome?.(outcome, invocation);
    return replay ? restAnswer(outcome, replay.replayOf, { replayed: true }) : restAnswer(outcome, requestId);
  };
}

/** Header lookup as HTTP means it: case-insensitive. */
export function headerValue(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}
