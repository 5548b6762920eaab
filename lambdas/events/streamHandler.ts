/**
 * The table's stream, filtered to pop items (lib/functions.ts; locally local/streams/), in: one feed event per status
 * change (popEvents.ts, eventLog.ts). Records are handled in order; the first that fails is reported
 * (ReportBatchItemFailures), so Lambda retries from it and nothing after it is lost or reordered.
 */
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { baseLogger } from '../shared/logger';
import { TABLE_KEYS, epochSeconds } from '../store/tableSchema';
import { appendEvent, type Clock } from './eventLog';
import { EventStore } from './eventStore';
import { eventOf, type Image } from './popEvents';
import { createQueueClient } from '../clients/queueClient';
import { enqueueDeliveries, type Enqueuer } from '../webhooks/enqueue';
import { WebhookStore } from '../webhooks/webhookStore';
import type { AwsClients } from '../clients/awsClients';
import type { Settings } from '../shared/settings';

export interface PopStreamDependencies {
  readonly events: EventStore;
  readonly clock: Clock;
  /** Events live as long as their pop: its TTL, or this retention from now when the image has none. */
  readonly retentionMs: number;
  /** Webhook deliveries queued after each appended event; absent: no webhooks (a stack without the queue). */
  readonly deliveries?: Enqueuer;
}

type StreamImage = Record<string, AttributeValue> | undefined;
const image = (raw: unknown): Image | undefined => (raw ? unmarshall(raw as NonNullable<StreamImage>) : undefined);

export function makePopStreamHandler(deps: PopStreamDependencies) {
  return async (streamEvent: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
    for (const record of streamEvent.Records) {
      const newImage = image(record.dynamodb?.NewImage);
      const event = eventOf(image(record.dynamodb?.OldImage), newImage);
      if (!event) continue;
      const ttl = newImage?.[TABLE_KEYS.ttlAttribute];
      const expiresAt = typeof ttl === 'number' ? ttl : epochSeconds(deps.clock.now() + deps.retentionMs);
      try {
        const seq = await appendEvent(deps.events, event, expiresAt, deps.clock);
        const { Tenant: tenant, ...rest } = event;
        if (deps.deliveries) await enqueueDeliveries(deps.deliveries, tenant, { Cursor: String(seq), ...rest });
      } catch (error) {
        baseLogger.error('An event could not be written; the stream retries from it', {
          eventId: event.EventId,
          reason: (error as Error).message,
        });
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
}

export const popStreamDependencies = (
  settings: Pick<Settings, 'tableName' | 'popRetentionDays' | 'region' | 'webhookQueueUrl'>,
  clients: Pick<AwsClients, 'db' | 'queue'>,
): PopStreamDependencies => ({
  events: new EventStore(clients.db, settings.tableName),
  clock: { now: Date.now },
  retentionMs: settings.popRetentionDays * 24 * 60 * 60 * 1000,
  ...(settings.webhookQueueUrl
    ? {
        deliveries: {
          webhooks: new WebhookStore(clients.db, settings.tableName),
          queue: clients.queue ?? createQueueClient(settings),
          queueUrl: settings.webhookQueueUrl,
        },
      }
    : {}),
});
