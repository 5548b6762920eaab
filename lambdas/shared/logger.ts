import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';

/**
 * Structured JSON logs (Powertools). One base logger per container; each invocation gets a child carrying its
 * request id and the keys given (tenant, PopId...), so concurrent invocations in the local gateway never mix keys.
 * Never pass events, headers or tokens to it.
 */
export const baseLogger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'remote-pop' });

export type RequestLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'appendKeys'>;

export function requestLogger(
  context: Pick<Context, 'awsRequestId'> | undefined,
  keys: Record<string, string> = {},
): RequestLogger {
  const child = baseLogger.createChild();
  child.appendKeys({ requestId: context?.awsRequestId ?? 'unknown', ...keys });
  return child;
}
