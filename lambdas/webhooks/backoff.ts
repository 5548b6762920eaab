/**
 * When a failed delivery is tried again: attempt n (1-based) failing waits `schedule[n-1]` seconds; past the end of the
 * schedule the delivery is dead-lettered. The default lasts about 27.6 hours; tests and the local stack shorten it
 * (WEBHOOK_RETRY_SECONDS, lambdas/shared/settings.ts).
 */
export const DEFAULT_RETRY_SECONDS: readonly number[] = [5, 300, 1800, 7200, 18000, 36000, 36000];

/** SQS caps a message's visibility timeout at 12 hours (lib/webhooks.ts explains the steps). */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export type NextAttempt = { readonly kind: 'retry'; readonly afterSeconds: number } | { readonly kind: 'deadLetter' };

export function nextAttempt(schedule: readonly number[], failedAttempt: number): NextAttempt {
  const wait = schedule[failedAttempt - 1];
  return wait === undefined
    ? { kind: 'deadLetter' }
    : { kind: 'retry', afterSeconds: Math.min(wait, MAX_VISIBILITY_SECONDS) };
}

/** `5,300,1800`: whole seconds, comma-separated; undefined when malformed. */
export function parseSchedule(text: string): number[] | undefined {
  if (!/^\s*\d+(\s*,\s*\d+)*\s*$/.test(text)) return undefined;
  return text.split(',').map((n) => Number(n.trim()));
}
