import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ApiError, apiErrors } from './apiError';
import { failureResponse, successResponse } from './envelope';
import { isDependencyFailure } from './dependencyFailure';
import { requestLogger, type RequestLogger } from './logger';

export interface RestInvocation {
  readonly event: APIGatewayProxyEvent;
  readonly requestId: string;
  readonly log: RequestLogger;
}

export interface RestSuccess {
  readonly statusCode: number;
  readonly result: unknown;
  readonly headers?: Record<string, string>;
}

/** A stored answer replayed as it was first given (Idempotency-Key). */
export interface RestReplay {
  readonly replay: APIGatewayProxyResult;
}

/**
 * Wrap a REST handler body: every outcome becomes the envelope. An ApiError keeps its status and code; anything else
 * is logged (message only, never the event) and answered 500 InternalError without a stack trace.
 */
export function restHandler(
  body: (invocation: RestInvocation) => Promise<RestSuccess | RestReplay>,
): (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    // API Gateway's request id is the one callers see in Gateway Responses; prefer it for one id end to end.
    const requestId = event.requestContext?.requestId ?? context.awsRequestId;
    const log = requestLogger(context, { apiRequestId: requestId });
    try {
      const outcome = await body({ event, requestId, log });
      if ('replay' in outcome) return outcome.replay;
      return successResponse(outcome.statusCode, outcome.result, requestId, outcome.headers);
    } catch (error) {
      if (error instanceof ApiError) {
        if (error.statusCode >= 500) log.error('Request failed', { code: error.code, reason: error.message });
        return failureResponse(
          error.statusCode,
          { Code: error.code, Message: error.message, Details: error.details },
          requestId,
          error.headers,
        );
      }
      if (isDependencyFailure(error)) {
        log.error('A dependency failed', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
        const unavailable = apiErrors.serviceUnavailable();
        return failureResponse(
          unavailable.statusCode,
          { Code: unavailable.code, Message: unavailable.message },
          requestId,
          unavailable.headers,
        );
      }
      log.error('Unexpected failure', { errorName: (error as Error)?.name, reason: (error as Error)?.message });
      return failureResponse(
        500,
        { Code: 'InternalError', Message: 'The service could not complete the request; retry later.' },
        requestId,
      );
    }
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
