/**
 * The event feed's items (lambdas/store/tableSchema.ts): per partition of a tenant's feed (feedPartitions.ts) a counter
 * and one slot per place (an event, or a gap a reader closed), and each event's place (its partition and number).
 * Persistence only: the protocol that keeps the feed whole is eventLog.ts.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { PopEvent } from '../../contract/events';
import { TABLE_KEYS, keys } from '../store/tableSchema';
import { appliedUnlessConditionFails } from '../store/conditions';
import type { Partition } from './feedPartitions';

/** An event as stored: the contract's event without its Cursor (the slot is the cursor). */
export type StoredEvent = Omit<PopEvent, 'Cursor'> & { readonly Tenant: string };

export type Slot =
  | {
      readonly seq: number;
      readonly kind: 'event';
      readonly allocatedAt: number;
      readonly expiresAt: number;
      readonly event: StoredEvent;
    }
  | { readonly seq: number; readonly kind: 'gap'; readonly allocatedAt: number; readonly expiresAt: number };

export interface Place {
  readonly partition: Partition;
  readonly seq: number;
  readonly allocatedAt: number;
}

export class EventStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The next place in a partition of the tenant's feed: one atomic counter, so no two writers get the same one. */
  async allocate(tenant: string, partition: Partition): Promise<number> {
    return this.allocateRange(tenant, partition, 1);
  }

  /** `count` consecutive places in one call (a stream batch's events of this tenant and shard); returns the first. */
  async allocateRange(tenant: string, partition: Partition, count: number): Promise<number> {
    const { Attributes } = await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.eventSequence(tenant, shardKey(partition)),
        UpdateExpression: 'ADD #next :count',
        ExpressionAttributeNames: { '#next': 'Next' },
        ExpressionAttributeValues: { ':count': count },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return Number(Attributes!.Next) - count + 1;
  }

  async readPlace(tenant: string, eventId: string): Promise<Place | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.eventPlace(tenant, eventId), ConsistentRead: true }),
    );
    // A place taken before the feed was sharded names no shard: the legacy partition.
    if (!Item) return undefined;
    const partition = typeof Item.Shard === 'number' ? Item.Shard : 'legacy';
    return { partition, seq: Number(Item.Seq), allocatedAt: Number(Item.AllocatedAt) };
  }

  /** Give an event its place, unless it has one (another delivery of the same stream record took it first). */
  async claimPlace(tenant: string, eventId: string, place: Place, expiresAt: number): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.eventPlace(tenant, eventId),
          ...shardAttribute(place.partition),
          Seq: place.seq,
          AllocatedAt: place.allocatedAt,
          [TABLE_KEYS.ttlAttribute]: expiresAt,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** Move an event whose slot a reader closed to a new place (in a shard), only if it is still at `from`. */
  async movePlace(tenant: string, eventId: string, from: Place, to: Place & { partition: number }): Promise<boolean> {
    // SHARD is a reserved word in expressions: named through #shard.
    const wasIn = from.partition === 'legacy' ? 'attribute_not_exists(#shard)' : '#shard = :fromShard';
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.eventPlace(tenant, eventId),
        UpdateExpression: 'SET Seq = :to, AllocatedAt = :at, #shard = :shard',
        ConditionExpression: `Seq = :from AND ${wasIn}`,
        ExpressionAttributeNames: { '#shard': 'Shard' },
        ExpressionAttributeValues: {
          ':to': to.seq,
          ':at': to.allocatedAt,
          ':shard': to.partition,
          ':from': from.seq,
          ...(from.partition === 'legacy' ? {} : { ':fromShard': from.partition }),
        },
      }),
    );
  }

  /** Fill a slot with an event or close it as a gap: whichever comes first wins, the other learns it lost. */
  async fillSlot(tenant: string, partition: Partition, slot: Slot): Promise<boolean> {
    return this.conditional(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          PK: keys.events(tenant, shardKey(partition)),
          SK: keys.eventSlot(slot.seq),
          Kind: slot.kind,
          AllocatedAt: slot.allocatedAt,
          [TABLE_KEYS.ttlAttribute]: slot.expiresAt,
          ...(slot.kind === 'event' ? { Event: slot.event } : {}),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async getSlot(tenant: string, partition: Partition, seq: number): Promise<Slot | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { PK: keys.events(tenant, shardKey(partition)), SK: keys.eventSlot(seq) },
        ConsistentRead: true,
      }),
    );
    return Item ? toSlot(Item) : undefined;
  }

  /** Slots of one partition after `afterSeq`, in order, at most `limit`. */
  async slotsAfter(tenant: string, partition: Partition, afterSeq: number, limit: number): Promise<Slot[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk AND SK > :after',
        ExpressionAttributeValues: {
          ':pk': keys.events(tenant, shardKey(partition)),
          ':after': keys.eventSlot(afterSeq),
        },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (Items ?? []).map(toSlot);
  }

  private conditional(command: PutCommand | UpdateCommand): Promise<boolean> {
    return appliedUnlessConditionFails(this.db, command);
  }
}

const shardKey = (partition: Partition) => (partition === 'legacy' ? undefined : partition);
const shardAttribute = (partition: Partition) => (partition === 'legacy' ? {} : { Shard: partition });

function toSlot(item: Record<string, unknown>): Slot {
  const base = {
    seq: Number(item.SK),
    allocatedAt: Number(item.AllocatedAt),
    expiresAt: Number(item[TABLE_KEYS.ttlAttribute] ?? 0),
  };
  return item.Kind === 'event'
    ? { ...base, kind: 'event', event: item.Event as StoredEvent }
    : { ...base, kind: 'gap' };
}
