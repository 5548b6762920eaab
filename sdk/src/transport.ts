/**
 * Every call of the client goes through `Transport.call`: one deadline and one signal for the whole call, the token
 * (when the operation needs one), the retry rule of retry.ts, and one renewal of the token on a 401.
 */
import { RemotePopError, UnavailableError } from './errors';
import { exchange, operationName, type Exchange, type ExchangeOutcome, type FetchFunction } from './http';
import { backoffMs, callSignal, DeadlineReached, sleep, type RetryOptions } from './retry';

/** Where a call gets its bearer token (tokens.ts). */
export interface TokenSource {
  token(signal: AbortSignal): string | Promise<string>;
  /** This token was refused (401): the next `token()` must not return it. */
  invalidate(token: string): void;
}

export interface CallSpec extends Exchange {
  /** Sent as `Idempotency-Key`, the same on every attempt; named in the final error. */
  readonly idempotencyKey?: string;
}

export interface CallOptions {
  /** Cancels the call, its retries and its waits; the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Overrides the client's deadline for this call. */
  readonly deadlineMs?: number;
}

/** A log line for people: never a header, a body or a token. */
export type Logger = (line: string) => void;

export interface TransportSettings {
  readonly baseUrl: string;
  readonly fetch: FetchFunction;
  readonly retry: Required<RetryOptions>;
  readonly logger: Logger | undefined;
  /** Ends every call of the client, its retries and its waits (RemotePopClient's `signal`). */
  readonly signal?: AbortSignal;
}

interface CallState {
  attempts: number;
  last: RemotePopError | undefined;
}

export class Transport {
  constructor(private readonly settings: TransportSettings) {}

  log(line: string): void {
    this.settings.logger?.(line);
  }

  async call<T>(spec: CallSpec, options: CallOptions = {}, tokens?: TokenSource): Promise<T> {
    const deadlineMs = options.deadlineMs ?? this.settings.retry.deadlineMs;
    const { signal, dispose } = callSignal(deadlineMs, options.signal, this.settings.signal);
    const state: CallState = { attempts: 0, last: undefined };
    try {
      return await this.attempts<T>(spec, signal, Date.now() + deadlineMs, state, tokens);
    } catch (error) {
      if (!(error instanceof DeadlineReached)) throw error;
      // Cut short after the API had answered: its last answer says more than "deadline".
      if (state.last instanceof UnavailableError) throw state.last.withCall(state.attempts, spec.idempotencyKey);
      throw new UnavailableError({
        code: 'DeadlineExceeded',
        operation: operationName(spec),
        apiMessage: `No answer within the ${deadlineMs} ms deadline.`,
        attempts: state.attempts,
        ...(spec.idempotencyKey === undefined ? {} : { idempotencyKey: spec.idempotencyKey }),
      });
    } finally {
      dispose();
    }
  }

  private async attempts<T>(
    spec: CallSpec,
    signal: AbortSignal,
    deadlineAt: number,
    state: CallState,
    tokens?: TokenSource,
  ): Promise<T> {
    let renewedAfter401 = false;
    for (;;) {
      const token = tokens === undefined ? undefined : await tokens.token(signal);
      state.attempts += 1;
      const outcome = await this.attempt<T>(spec, token, signal);
      if (outcome.ok) return outcome.result;
      state.last = outcome.error;
      if (token !== undefined && outcome.error.status === 401 && !renewedAfter401) {
        // The token expired early or was revoked: renew it once and send again (same Idempotency-Key).
        renewedAfter401 = true;
        tokens!.invalidate(token);
        this.log(`${operationName(spec)} 401 ${outcome.error.code}: renewing the token`);
        continue;
      }
      const final = outcome.error.withCall(state.attempts, spec.idempotencyKey);
      if (!outcome.retryable) throw final;
      const delay = Math.round(backoffMs(state.attempts, outcome.retryAfter, this.settings.retry));
      if (Date.now() + delay >= deadlineAt) throw final;
      this.log(
        `${operationName(spec)} ${outcome.error.status ?? '-'} ${outcome.error.code}: attempt ${state.attempts + 1} in ${delay} ms`,
      );
      await sleep(delay, signal);
    }
  }

  /** One request; a network failure is a retryable outcome, an abort (caller or deadline) rejects with its reason. */
  private async attempt<T>(
    spec: CallSpec,
    token: string | undefined,
    signal: AbortSignal,
  ): Promise<ExchangeOutcome<T>> {
    const headers = token === undefined ? spec.headers : { ...spec.headers, Authorization: `Bearer ${token}` };
    const request =
      spec.idempotencyKey === undefined
        ? { ...spec, headers }
        : { ...spec, headers: { ...headers, 'Idempotency-Key': spec.idempotencyKey } };
    try {
      return await exchange<T>(this.settings.fetch, this.settings.baseUrl, request, signal);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      const cause = error instanceof Error ? new Error(networkReason(error)) : undefined;
      const failure = new UnavailableError({
        code: 'NetworkError',
        operation: operationName(spec),
        apiMessage: 'No answer from the API.',
        ...(cause ? { cause } : {}),
      });
      return { ok: false, error: failure, retryable: true, retryAfter: null };
    }
  }
}

/**
 * The network failure in words, e.g. `ECONNREFUSED`: the fetch error's own message and cause, copied as text so the
 * request (with its Authorization header) never hangs off the SDK's error.
 */
function networkReason(error: Error): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
  return detail ? `${error.message}: ${detail}` : error.message;
}
