/**
 * The hold timer's consumer (docs/design/held-pops.md "Expiry"): one SQS message per held pop (started by holdTimer.ts),
 * made visible at the pop's deadline; `makeHoldExpiryHandler` (the `holdExpiry` function; locally
 * local/queue/holdQueue.ts) makes the pop Expired if it is still Held. SQS delays a message at most 15 minutes and hides a received one at most 12 hours, so a longer
 * hold is received early and hidden again until its deadline (at most 4 receives for a day's hold), as the webhook
 * sender's back-off does (lambdas/webhooks/senderHandler.ts). A pop delivered or recalled first makes the message a
 * no-op. The deadline is also checked wherever a held pop is read (popStore.ts `asOf`) or delivered (heldPops.ts).
 */
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createQueueClient, type QueueClient } from '../clients/queueClient';
import type { AwsClients } from '../clients/awsClients';
import { baseLogger } from '../shared/logger';
import type { Settings } from '../shared/settings';
import { HeldPopStore, type HeldTurn } from './heldPopStore';
import { expireHeld } from './heldPops';
import { secondsUntil } from './holdTimer';
import { MAX_VISIBILITY_SECONDS } from './holdQueueLimits';
import { PopStore } from './popStore';

export interface HoldExpiryDependencies {
  readonly held: HeldPopStore;
  readonly pops: PopStore;
  readonly queue: Pick<QueueClient, 'changeVisibility'>;
  readonly queueUrl: string;
  readonly now: () => number;
}

function turnOf(body: string): HeldTurn | undefined {
  try {
    const turn = JSON.parse(body) as Partial<HeldTurn>;
    const texts = [turn.tenant, turn.agent, turn.popId, turn.campaign].every((v) => typeof v === 'string');
    const times = typeof turn.acceptedAt === 'number' && typeof turn.holdUntil === 'number';
    return texts && times ? (turn as HeldTurn) : undefined;
  } catch {
    return undefined;
  }
}

/** 'again': not yet due, hidden until its deadline (or 12 hours) and reported, so SQS hands it back then. */
async function handleRecord(deps: HoldExpiryDependencies, record: SQSRecord): Promise<'done' | 'again'> {
  const turn = turnOf(record.body);
  if (!turn) {
    baseLogger.error('A malformed hold timer message was dropped', { messageId: record.messageId });
    return 'done';
  }
  const wait = secondsUntil(turn.holdUntil, deps.now());
  const outcome = wait > 0 ? 'notDue' : await expireHeld({ ...deps, log: baseLogger }, turn);
  if (outcome !== 'notDue') return 'done';
  const seconds = Math.min(MAX_VISIBILITY_SECONDS, Math.max(1, wait));
  await deps.queue.changeVisibility(deps.queueUrl, record.receiptHandle, seconds);
  return 'again';
}

export function makeHoldExpiryHandler(deps: HoldExpiryDependencies) {
  return async (event: SQSEvent): Promise<SQSBatchResponse> => {
    const failures: string[] = [];
    await Promise.all(
      event.Records.map(async (record) => {
        const outcome = await handleRecord(deps, record).catch((error: Error) => {
          baseLogger.error('A hold timer could not be handled; SQS retries it', { reason: error.message });
          return 'again' as const;
        });
        if (outcome === 'again') failures.push(record.messageId);
      }),
    );
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}

/** The hold queue's client: its endpoint is the queue URL's origin (locally the emulated queue, local/queue/). */
export const holdQueueClient = (settings: Pick<Settings, 'region' | 'holdQueueUrl'>): QueueClient =>
  createQueueClient({
    region: settings.region,
    ...(settings.holdQueueUrl ? { webhookQueueUrl: settings.holdQueueUrl } : {}),
  });

export const holdExpiryDependencies = (
  settings: Pick<Settings, 'tableName' | 'region' | 'holdQueueUrl'>,
  clients: Pick<AwsClients, 'db' | 'holdQueue'>,
): HoldExpiryDependencies => ({
  held: new HeldPopStore(clients.db, settings.tableName),
  pops: new PopStore(clients.db, settings.tableName),
  queue: clients.holdQueue ?? holdQueueClient(settings),
  queueUrl: settings.holdQueueUrl ?? '',
  now: () => Date.now(),
});
