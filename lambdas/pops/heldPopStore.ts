/**
 * Held pops (docs/held-pops.md): the pop item itself (Status Held, with its deadline and ScriptData, in the pop's
 * usual place, so GET /pops/{PopId}, recall and the event feed see it), one "turn" item per held pop in the tenant's
 * HELD partition (an agent's turns sort by the time they were accepted), and a lock per agent and record so that a
 * repeat while the pop is held gets the same PopId. Every move out of Held is one conditional write on the pop item,
 * so of two instances (or retries) delivering, expiring or recalling the same pop exactly one wins.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { PopReason } from '../../contract/statuses';
import type { ScriptData } from '../../contract/rest';
import { appliedUnlessConditionFails } from '../store/conditions';
import { queryAll, type StoredItem } from '../store/queryAll';
import { popItem } from './popStore';
import { TABLE_KEYS, epochSeconds, keys } from '../store/tableSchema';

/** A held pop as accepted: what delivery needs to push it later. */
export interface HeldPop {
  readonly tenant: string;
  readonly PopId: string;
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly ScriptData?: ScriptData;
  /** When it was accepted (epoch ms): its place in the agent's order. */
  readonly acceptedAt: number;
  /** Its deadline (epoch ms): it is never pushed at or after it. */
  readonly holdUntil: number;
}

/** One held pop's place in its agent's order. */
export interface HeldTurn {
  readonly tenant: string;
  readonly agent: string;
  readonly popId: string;
  readonly acceptedAt: number;
  readonly holdUntil: number;
  readonly campaign: string;
  readonly reference?: string;
}

export type RecordLock =
  { readonly kind: 'locked' } | { readonly kind: 'lockedBy'; readonly popId: string; readonly lockedAt: number };

/** How long a turn or a lock outlives its deadline before TTL may remove it (the timer removes it sooner). */
const KEEP_AFTER_DEADLINE_MS = 60 * 60 * 1000;

export class HeldPopStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** Reserve agent+record for this held pop, unless another held pop of the same agent and record has it. */
  async lockRecord(pop: HeldPop, now: number): Promise<RecordLock> {
    const Key = keys.heldRecord(pop.tenant, pop.Username, pop.Campaign, pop.Reference!);
    const put = (condition: string, values: Record<string, unknown>) =>
      new PutCommand({
        TableName: this.tableName,
        Item: this.recordLock(pop, now),
        ConditionExpression: condition,
        ExpressionAttributeValues: values,
      });
    if (
      await appliedUnlessConditionFails(this.db, put('attribute_not_exists(PK) OR HoldUntil <= :now', { ':now': now }))
    )
      return { kind: 'locked' };
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key, ConsistentRead: true }));
    if (!Item) return this.lockRecord(pop, now);
    return { kind: 'lockedBy', popId: Item.PopId as string, lockedAt: Item.LockedAt as number };
  }

  /** Take a lock whose pop is no longer held (delivered, recalled) or never was stored; false if it moved meanwhile. */
  async takeOverRecord(pop: HeldPop, from: string, now: number): Promise<boolean> {
    return appliedUnlessConditionFails(
      this.db,
      new PutCommand({
        TableName: this.tableName,
        Item: this.recordLock(pop, now),
        ConditionExpression: 'PopId = :from',
        ExpressionAttributeValues: { ':from': from },
      }),
    );
  }

  /** The lock of the held pop's agent and record, taken at `now` (lockRecord, takeOverRecord). */
  private recordLock(pop: HeldPop, now: number) {
    return {
      ...keys.heldRecord(pop.tenant, pop.Username, pop.Campaign, pop.Reference!),
      Type: 'HeldRecord',
      PopId: pop.PopId,
      LockedAt: now,
      HoldUntil: pop.holdUntil,
      ...this.ttl(pop),
    };
  }

  /** The pop's turn: written before the pop, so a pop stored Held is always found by its agent's appearance. */
  async putTurn(pop: HeldPop): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.heldTurn(pop.tenant, pop.Username, pop.acceptedAt, pop.PopId),
          Type: 'HeldTurn',
          Tenant: pop.tenant,
          Username: pop.Username,
          PopId: pop.PopId,
          AcceptedAt: pop.acceptedAt,
          HoldUntil: pop.holdUntil,
          Campaign: pop.Campaign,
          Reference: pop.Reference,
          ...this.ttl(pop),
        },
      }),
    );
  }

  async putHeldPop(pop: HeldPop, retentionMs: number): Promise<void> {
    const at = new Date(pop.acceptedAt).toISOString();
    const { tenant, PopId, Username, Campaign, Reference } = pop;
    const item = popItem(
      { tenant, PopId, Username, Campaign, Reference, Status: 'Held', CreatedAt: at, UpdatedAt: at, sentTo: [] },
      pop.holdUntil + retentionMs,
    );
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...item,
          HoldUntil: pop.holdUntil,
          // As JSON: numbers keep the exact form the caller sent (a DynamoDB number would not).
          HeldScriptData: JSON.stringify(pop.ScriptData ?? {}),
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  /** Every held turn of the tenant: one Query, one read when nothing is held. */
  async turnsOfTenant(tenant: string): Promise<HeldTurn[]> {
    return (await this.queryTurns(tenant)).map(toTurn);
  }

  /** The agent's held turns, in the order the pops were accepted. */
  async turnsOf(tenant: string, agent: string): Promise<HeldTurn[]> {
    return (await this.queryTurns(tenant, keys.heldAgentPrefix(agent))).map(toTurn);
  }

  /**
   * Held -> Sent, only while Held and before the deadline: the one write that makes a held pop delivered by exactly
   * one caller. Its ScriptData goes: the pushed message carries it.
   */
  async startDelivery(
    tenant: string,
    popId: string,
    to: { sentTo: readonly string[]; sentToInstances: readonly string[] },
    now: number,
  ): Promise<boolean> {
    return appliedUnlessConditionFails(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.pop(tenant, popId),
        UpdateExpression:
          'SET #status = :sent, SentTo = :sentTo, SentToInstances = :instances, Unconfirmed = :no, UpdatedAt = :at REMOVE HeldScriptData',
        ConditionExpression: '#status = :held AND HoldUntil > :now',
        ExpressionAttributeNames: { '#status': 'Status' },
        ExpressionAttributeValues: {
          ':sent': 'Sent',
          ':held': 'Held',
          ':sentTo': [...to.sentTo],
          ':instances': [...to.sentToInstances],
          ':no': false,
          ':at': new Date(now).toISOString(),
          ':now': now,
        },
      }),
    );
  }

  /**
   * Held -> Expired (at or after the deadline) or Failed (a check failed when the agent appeared), only while Held.
   * `at` is its UpdatedAt (the Expired event's OccurredAt): an expired pop's deadline, as GET showed it from then on.
   */
  async end(tenant: string, popId: string, ending: 'Expired' | 'Failed', reason: PopReason, now: number, at = now) {
    return appliedUnlessConditionFails(
      this.db,
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.pop(tenant, popId),
        UpdateExpression: 'SET #status = :ending, Reason = :reason, UpdatedAt = :at REMOVE HeldScriptData',
        ConditionExpression: ending === 'Expired' ? '#status = :held AND HoldUntil <= :now' : '#status = :held',
        ExpressionAttributeNames: { '#status': 'Status' },
        ExpressionAttributeValues: {
          ':ending': ending,
          ':reason': reason,
          ':held': 'Held',
          ':at': new Date(at).toISOString(),
          ...(ending === 'Expired' ? { ':now': now } : {}),
        },
      }),
    );
  }

  /** The held pop's ScriptData, as accepted. */
  async scriptDataOf(tenant: string, popId: string): Promise<ScriptData | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.pop(tenant, popId),
        ConsistentRead: true,
        ProjectionExpression: 'HeldScriptData',
      }),
    );
    return typeof Item?.HeldScriptData === 'string' ? (JSON.parse(Item.HeldScriptData) as ScriptData) : undefined;
  }

  /** The turn and the record lock of a pop that has left Held (the lock only if it is still this pop's). */
  async forget(turn: HeldTurn): Promise<void> {
    const { tenant, agent, acceptedAt, popId, campaign, reference } = turn;
    await this.db.send(
      new DeleteCommand({ TableName: this.tableName, Key: keys.heldTurn(tenant, agent, acceptedAt, popId) }),
    );
    if (reference === undefined) return;
    await appliedUnlessConditionFails(
      this.db,
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.heldRecord(tenant, agent, campaign, reference),
        ConditionExpression: 'PopId = :popId',
        ExpressionAttributeValues: { ':popId': popId },
      }),
    );
  }

  private queryTurns(tenant: string, prefix = 'A#'): Promise<StoredItem[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
      ExpressionAttributeValues: { ':pk': keys.held(tenant), ':prefix': prefix },
      ConsistentRead: true,
    });
  }

  private ttl(pop: HeldPop) {
    return { [TABLE_KEYS.ttlAttribute]: epochSeconds(pop.holdUntil + KEEP_AFTER_DEADLINE_MS) };
  }
}

const toTurn = (item: StoredItem): HeldTurn => ({
  tenant: item.Tenant as string,
  agent: item.Username as string,
  popId: item.PopId as string,
  acceptedAt: item.AcceptedAt as number,
  holdUntil: item.HoldUntil as number,
  campaign: item.Campaign as string,
  ...(typeof item.Reference === 'string' ? { reference: item.Reference } : {}),
});
