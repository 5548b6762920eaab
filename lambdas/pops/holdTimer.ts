/**
 * Starting a held pop's timer (docs/design/held-pops.md "Expiry"): one SQS message, delayed until the pop's deadline
 * or 15 minutes if that is sooner, which the `holdExpiry` function (holdExpiry.ts) receives. Started by the table
 * stream's function when a Held pop is stored (lambdas/events/streamHandler.ts), so POST /pop carries no SQS client and
 * a failed start is retried with the stream record. Small on purpose: the stream function's bundle imports it.
 */
import type { QueueClient } from '../clients/queueClient';
import type { HeldTurn } from './heldPopStore';
import { MAX_DELAY_SECONDS } from './holdQueueLimits';

/** Wakes the held pop at its deadline. */
export interface HoldTimer {
  start(turn: HeldTurn): Promise<void>;
}

export const secondsUntil = (at: number, now: number) => Math.max(0, Math.ceil((at - now) / 1000));

export function queueHoldTimer(
  queue: Pick<QueueClient, 'sendBatch'>,
  queueUrl: string,
  now: () => number = Date.now,
): HoldTimer {
  return {
    async start(turn) {
      const delaySeconds = Math.min(MAX_DELAY_SECONDS, secondsUntil(turn.holdUntil, now()));
      const { failed } = await queue.sendBatch(queueUrl, [{ id: 'hold', body: JSON.stringify(turn), delaySeconds }]);
      if (failed.length > 0) throw new Error('The hold timer could not be started');
    },
  };
}

/** The turn of a pop item stored Held (a stream record's new image, heldPopStore.ts putHeldPop), else undefined. */
export function heldTurnOf(image: Readonly<Record<string, unknown>> | undefined): HeldTurn | undefined {
  if (!image || image.Type !== 'Pop' || image.Status !== 'Held' || typeof image.HoldUntil !== 'number')
    return undefined;
  const acceptedAt = Date.parse(String(image.CreatedAt));
  if (Number.isNaN(acceptedAt)) return undefined;
  return {
    tenant: String(image.Tenant),
    agent: String(image.Username),
    popId: String(image.PopId),
    acceptedAt,
    holdUntil: image.HoldUntil,
    campaign: String(image.Campaign),
    ...(typeof image.Reference === 'string' ? { reference: image.Reference } : {}),
  };
}
