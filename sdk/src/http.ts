/**
 * One HTTP exchange with the API: send, read the envelope, and turn a failure into the SDK's error kind
 * (RefusedError or UnavailableError, errors.ts). Knows nothing of tokens or retries.
 */
import { RefusedError, RemotePopError, UnavailableError } from './errors';
import { isRetryable } from './retry';
import type { Envelope } from './types';

export type FetchFunction = (input: string, init: RequestInit) => Promise<Response>;

export interface Exchange {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** After the base URL, e.g. `/pop`. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export type ExchangeOutcome<T> =
  | { readonly ok: true; readonly result: T; readonly requestId: string }
  | {
      readonly ok: false;
      readonly error: RemotePopError;
      readonly retryable: boolean;
      readonly retryAfter: string | null;
    };

/** `METHOD /path`, as errors and log lines name an operation (paths carry no secret: a PopId at most). */
export const operationName = (exchange: Pick<Exchange, 'method' | 'path'>) => `${exchange.method} ${exchange.path}`;

/** Sends the exchange; a network failure or an abort rejects (the caller decides what it means). */
export async function exchange<T>(
  fetchFn: FetchFunction,
  baseUrl: string,
  request: Exchange,
  signal: AbortSignal,
): Promise<ExchangeOutcome<T>> {
  const response = await fetchFn(`${baseUrl}${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body === undefined ? {} : { body: request.body }),
    signal,
  });
  const text = await response.text();
  return readAnswer<T>(operationName(request), response.status, response.headers, text);
}

/** The envelope of an answer as an outcome; an answer that is not the envelope is an outage of the API's front. */
export function readAnswer<T>(operation: string, status: number, headers: Headers, text: string): ExchangeOutcome<T> {
  const envelope = parseEnvelope<T>(text);
  const retryAfter = headers.get('retry-after');
  if (envelope === undefined) {
    const error = new UnavailableError({
      code: 'InvalidResponse',
      status,
      operation,
      apiMessage: 'The answer is not the API envelope.',
    });
    return { ok: false, error, retryable: status >= 500 || status === 429, retryAfter };
  }
  if (envelope.Success && status < 300) return { ok: true, result: envelope.Result, requestId: envelope.RequestId };
  const body = envelope.Success ? undefined : envelope.Error;
  const code = body?.Code ?? 'InvalidResponse';
  const retryable = isRetryable(status, code);
  const Kind = retryable || status >= 500 ? UnavailableError : RefusedError;
  const error = new Kind({
    code,
    status,
    operation,
    requestId: envelope.RequestId,
    ...(body?.Message ? { apiMessage: body.Message } : {}),
    ...(body?.Details ? { details: body.Details } : {}),
  });
  return { ok: false, error, retryable, retryAfter };
}

function parseEnvelope<T>(text: string): Envelope<T> | undefined {
  try {
    const parsed = JSON.parse(text) as Envelope<T> | null;
    return parsed !== null && typeof parsed === 'object' && typeof parsed.Success === 'boolean' ? parsed : undefined;
  } catch {
    return undefined;
  }
}
