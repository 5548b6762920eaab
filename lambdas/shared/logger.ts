import { Logger } from '@aws-lambda-powertools/logger';
import type { LogAttributes } from '@aws-lambda-powertools/logger/types';
import type { Context } from 'aws-lambda';

/**
 * Structured JSON logs (Powertools). One logger per container; each invocation gets a request logger carrying its
 * request id and the keys given (tenant, PopId...) on every line. The keys are the request logger's own, passed with
 * each line, not appended to the shared logger, so invocations that overlap (handlers called concurrently in one
 * process: unit tests, the local gateway's in-process mode) never mix keys. It is not a Powertools child logger:
 * `createChild` builds a new Logger and Console per invocation, about 6 % of the pop handler's CPU
 * (bench/costProjection.ts). Never pass events, headers or tokens to it.
 */
export const baseLogger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'remote-pop' });

export type RequestLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error' | 'appendKeys'>;

type Level = 'debug' | 'info' | 'warn' | 'error';

export function requestLogger(
  context: Pick<Context, 'awsRequestId'> | undefined,
  keys: Record<string, string> = {},
): RequestLogger {
  const attributes: Record<string, unknown> = { requestId: context?.awsRequestId ?? 'unknown', ...keys };
  const at =
    (level: Level): RequestLogger[Level] =>
    (input, ...extra) =>
      // Powertools merges extra inputs in order, an Error under `error` and a string under `extra`, whatever their
      // mix; its type allows an Error or a string only alone.
      baseLogger[level](input, ...([attributes, ...extra] as LogAttributes[]));
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    appendKeys: (more) => {
      Object.assign(attributes, more);
    },
  };
}
