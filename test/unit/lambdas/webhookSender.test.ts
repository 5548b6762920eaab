/**
 * The webhook sender keeps its schedule (lambdas/webhooks/senderHandler.ts): it stops starting deliveries on a deadline
 * taken from the invocation's remaining time, so a hanging endpoint never times the invocation out. What it did not
 * attempt is reported alone and put back to its next back-off step, as a failed attempt would be; every other
 * endpoint's message is delivered in the same invocation and not reported. Before, the invocation ran past its
 * timeout and every message of the batch came back after the visibility timeout, each spending a receive.
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { DEFAULT_RETRY_SECONDS } from '../../../lambdas/webhooks/backoff';
import { DELIVERY_TIMEOUT_MS, type AttemptResult } from '../../../lambdas/webhooks/delivery';
import type { DeliveryMessage } from '../../../lambdas/webhooks/deliveryMessage';
import { makeWebhookSenderHandler, REPORT_MARGIN_MS } from '../../../lambdas/webhooks/senderHandler';

/** A clock the test moves: each hanging POST takes the delivery timeout of it, as the real one would. */
function harness() {
  let now = 1_700_000_000_000;
  const posted: string[] = [];
  const visibility = new Map<string, number>();
  const post = async (url: string, body: string): Promise<AttemptResult> => {
    posted.push(`${url} ${JSON.parse(body).EventId}`);
    if (url.includes('hanging')) {
      // Attempts started together end together, one timeout later.
      const start = now;
      await new Promise((resolve) => setImmediate(resolve));
      now = Math.max(now, start + DELIVERY_TIMEOUT_MS);
      return { ok: false, error: 'timed out after 5 s' };
    }
    return { ok: true, status: 204 };
  };
  const handler = makeWebhookSenderHandler({
    webhooks: {
      get: async (_tenant: string, webhookId: string) =>
        ({ url: `https://${webhookId}.example/hook`, secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw' }) as never,
      recordSuccess: async () => undefined,
      recordFailure: async () => undefined,
    },
    queue: { changeVisibility: async (_url, handle, seconds) => void visibility.set(handle, seconds) },
    // The fake items hold a plain secret (as one written before secrets were sealed): nothing to open.
    box: { open: async () => Promise.reject(new Error('no sealed secret here')) },
    queueUrl: 'https://sqs.example/q',
    retrySeconds: DEFAULT_RETRY_SECONDS,
    post,
    now: () => now,
  });
  const started = now;
  const context = { getRemainingTimeInMillis: () => 10_000 - (now - started) };
  return { handler, context, posted, visibility };
}

const record = (webhookId: string, n: number, receives = 1): SQSRecord =>
  ({
    messageId: `${webhookId}-${n}`,
    receiptHandle: `rh-${webhookId}-${n}`,
    body: JSON.stringify({
      tenant: 'acme',
      webhookId,
      messageId: `e${n}`,
      payload: { EventId: `e${n}`, Cursor: String(n) },
    } satisfies Omit<DeliveryMessage, 'payload'> & { payload: object }),
    attributes: { ApproximateReceiveCount: String(receives) },
  }) as never;

test('a hanging endpoint costs only its own messages; the rest go out in the same invocation, no timeout', async () => {
  const { handler, context, posted, visibility } = harness();
  // GIVEN a batch of 10: 8 for an endpoint that hangs, 2 for a healthy one
  const event: SQSEvent = {
    Records: [...Array.from({ length: 8 }, (_, n) => record('hanging', n)), record('healthy', 8), record('healthy', 9)],
  };
  // WHEN the 10 s function handles it
  const answer = await handler(event, context);
  // THEN the healthy endpoint got both, and is not reported
  expect(posted.filter((p) => p.includes('healthy'))).toHaveLength(2);
  const failed = answer.batchItemFailures.map((f) => f.itemIdentifier);
  expect(failed.filter((id) => id.startsWith('healthy'))).toEqual([]);
  // ...the hanging one got one round (4 at once, MAX_PER_ENDPOINT), the 4 others were not started past the deadline
  expect(posted.filter((p) => p.includes('hanging'))).toHaveLength(4);
  expect(failed.sort()).toEqual(Array.from({ length: 8 }, (_, n) => `hanging-${n}`).sort());
  // ...and every one of the 8 waits for its next back-off step (5 s after a first receive), none comes back at once
  for (let n = 0; n < 8; n++) expect(visibility.get(`rh-hanging-${n}`)).toBe(DEFAULT_RETRY_SECONDS[0]);
  // ...with the answer given before the function's timeout, the report margin kept
  expect(context.getRemainingTimeInMillis()).toBeGreaterThanOrEqual(REPORT_MARGIN_MS);
});

test('without a context (a direct call) every delivery is attempted', async () => {
  const { handler, posted } = harness();
  const answer = await handler({ Records: [record('healthy', 1), record('healthy', 2)] });
  expect(posted).toHaveLength(2);
  expect(answer.batchItemFailures).toEqual([]);
});
