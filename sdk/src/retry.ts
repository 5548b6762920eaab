/**
 * When to send a request again, and how long to wait first. One rule for every operation: an answer the service
 * could not give now (429, 409 `RequestInProgress`, any 5xx) or no answer at all (the network) is retried; any other
 * 4xx is final. POST /pop is safe to send again because every attempt carries the same Idempotency-Key: the API
 * answers a repeat with the first answer and pushes nothing twice (docs/guarantees.md).
 */

export interface RetryOptions {
  /** Give up retrying this long after the call started (the in-flight request is abandoned too). @default 30000 */
  readonly deadlineMs?: number;
  /** First back-off without Retry-After; doubles per attempt. @default 100 */
  readonly baseDelayMs?: number;
  /** Largest back-off without Retry-After. @default 5000 */
  readonly maxDelayMs?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = { deadlineMs: 30_000, baseDelayMs: 100, maxDelayMs: 5_000 };

/** Whether an answer with this status and code may be retried. */
export function isRetryable(status: number, code: string | undefined): boolean {
  return status >= 500 || status === 429 || (status === 409 && code === 'RequestInProgress');
}

/**
 * Milliseconds to wait before attempt `attempt + 1`. With `Retry-After` (seconds), never earlier than it says, plus up
 * to one base delay of jitter so that callers told the same second do not come back together. Without it, "equal
 * jitter": half the exponential step for sure, the other half at random.
 */
export function backoffMs(
  attempt: number,
  retryAfterHeader: string | null,
  policy: Required<RetryOptions>,
  random = Math.random,
): number {
  const retryAfterSeconds = retryAfterHeader === null ? NaN : Number(retryAfterHeader);
  if (Number.isFinite(retryAfterSeconds) && retryAfterSeconds >= 0) {
    return retryAfterSeconds * 1000 + random() * policy.baseDelayMs;
  }
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Why a call's own signal aborted: its deadline passed (as opposed to the caller's signal). */
export class DeadlineReached extends Error {
  constructor() {
    super('deadline reached');
    this.name = 'DeadlineReached';
  }
}

/**
 * One signal for one call: aborts when one of the callers' signals aborts (with its reason: the call's own, the
 * client's) or when the deadline passes (with DeadlineReached). `dispose()` clears the timer and the listeners.
 */
export function callSignal(
  deadlineMs: number,
  ...callerSignals: readonly (AbortSignal | undefined)[]
): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlineReached()), deadlineMs);
  const callers = callerSignals.filter((signal): signal is AbortSignal => signal !== undefined);
  const listeners = callers.map((caller) => {
    const onAbort = () => controller.abort(caller.reason);
    if (caller.aborted) controller.abort(caller.reason);
    else caller.addEventListener('abort', onAbort, { once: true });
    return () => caller.removeEventListener('abort', onAbort);
  });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      for (const remove of listeners) remove();
    },
  };
}
