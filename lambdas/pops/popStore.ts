import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, epochSeconds, keys } from '../store/tableSchema';

import type { PopStatus } from '../../contract/statuses';
import type { PopStatusResult } from '../../contract/rest';
import { isConditionFailure } from '../store/conditions';

/** What a caller may see of a pop (GET /pops/{PopId}). */
export type PopRecord = PopStatusResult;

export interface StoredPop extends PopRecord {
  readonly tenant: string;
  /** Connections the pop was pushed to, including those whose push had no answer. */
  readonly sentTo: readonly string[];
  /** Their instances (`instanceKey` in status.ts): who may acknowledge. Empty on pops stored before they were kept. */
  readonly sentToInstances: readonly string[];
  /** Instances (or connections) that reported Failed (the pop fails only when all it was sent to did). */
  readonly failedBy: readonly string[];
  /** No push was confirmed: each timed out or lost its answer (delivery.ts). A retry of the pop pushes it again. */
  readonly unconfirmed: boolean;
  /** A held pop's deadline, epoch ms (heldPops.ts): kept after it leaves Held. */
  readonly holdUntil?: number;
}

/** Where delivery reached: what `recordDelivery` stores. */
export interface DeliveryRecord {
  readonly sentTo: readonly string[];
  readonly sentToInstances: readonly string[];
  /** No connection took the pop: Failed with this Reason. */
  readonly failureReason?: string;
  /** No push was answered: the pop stays Sent, and may have arrived. */
  readonly unconfirmed?: boolean;
}

/** A new pop: what `putPop` stores (nothing failed yet, its pushes still to come). */
export type NewPop = Omit<StoredPop, 'failedBy' | 'sentToInstances' | 'unconfirmed' | 'holdUntil'> & {
  readonly sentToInstances?: readonly string[];
};

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'heldBySameUser'; readonly popId: string; readonly claimedAt: number }
  | { readonly kind: 'heldByOtherUser' };

/** What an acknowledgement changes on a stored pop (decided by `next` in status.ts). */
export interface PopChange {
  readonly status?: PopStatus;
  /** Set with status Failed; any other new status clears the Reason. */
  readonly reason?: string;
  readonly failedBy?: readonly string[];
}

/** The first answer to an Idempotency-Key: the outcome (not its HTTP shape) and the request id it was given under. */
export interface IdempotentAnswer<T = unknown> {
  readonly requestId: string;
  readonly outcome: T;
}

export type IdempotencyReservation =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'answered'; readonly answer: IdempotentAnswer }
  | { readonly kind: 'inProgress' }
  | { readonly kind: 'reusedForOtherRequest' };

/**
 * How long a reserved Idempotency-Key stays "in progress" without an answer: longer than the pop function's timeout
 * (10 s) and API Gateway's 29 s, so the first request is over before a retry may run again.
 */
export const IDEMPOTENCY_LEASE_MS = 60_000;

/**
 * A new pop's item, removed by TTL after `expiresAtMs` (epoch ms): the one shape of a pop item, as `putPop` and a held
 * pop (heldPopStore.ts putHeldPop) write it.
 */
export function popItem(pop: NewPop, expiresAtMs: number): Record<string, NativeAttributeValue> {
  return {
    ...keys.pop(pop.tenant, pop.PopId),
    Type: 'Pop',
    Tenant: pop.tenant,
    PopId: pop.PopId,
    Username: pop.Username,
    Campaign: pop.Campaign,
    Reference: pop.Reference,
    Status: pop.Status,
    Reason: pop.Reason,
    CreatedAt: pop.CreatedAt,
    UpdatedAt: pop.UpdatedAt,
    SentTo: [...pop.sentTo],
    SentToInstances: [...(pop.sentToInstances ?? [])],
    [TABLE_KEYS.ttlAttribute]: epochSeconds(expiresAtMs),
  };
}

/** Pops and their status, record claims and idempotency keys: everything a pop writes. */
export class PopStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Claim Campaign+Reference of a tenant for one agent for the claim window, atomically: of any number of
   * simultaneous claims for different agents exactly one succeeds (a conditional write).
   */
  async claimRecord(claim: {
    tenant: string;
    campaign: string;
    reference: string;
    username: string;
    popId: string;
    windowMs: number;
  }): Promise<ClaimOutcome> {
    const now = this.now();
    const key = keys.claim(claim.tenant, claim.campaign, claim.reference);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...key,
              Type: 'Claim',
              Username: claim.username,
              PopId: claim.popId,
              ClaimedAt: now,
              ClaimedUntil: now + claim.windowMs,
              [TABLE_KEYS.ttlAttribute]: epochSeconds(now + claim.windowMs) + 1,
            },
            ConditionExpression: 'attribute_not_exists(#pk) OR #until < :now',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#until': 'ClaimedUntil' },
            ExpressionAttributeValues: { ':now': now },
          }),
        );
        return { kind: 'claimed' };
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      // Released or expired between the write and the read: try again.
      if (!Item || Item.ClaimedUntil < now) continue;
      return Item.Username === claim.username
        ? { kind: 'heldBySameUser', popId: Item.PopId, claimedAt: Item.ClaimedAt ?? Item.ClaimedUntil - claim.windowMs }
        : { kind: 'heldByOtherUser' };
    }
    return { kind: 'heldByOtherUser' };
  }

  /** Give a claim back (its pop failed), only if it is still this pop's. */
  async releaseClaim(tenant: string, campaign: string, reference: string, popId: string): Promise<void> {
    try {
      await this.db.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.claim(tenant, campaign, reference),
          ConditionExpression: 'PopId = :popId',
          ExpressionAttributeValues: { ':popId': popId },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async putPop(pop: NewPop, retentionMs: number): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: popItem(pop, this.now() + retentionMs) }));
  }

  /** A pop of this tenant only: another tenant's PopId is simply not found. */
  async getPop(tenant: string, popId: string): Promise<StoredPop | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.pop(tenant, popId), ConsistentRead: true }),
    );
    if (!Item || this.expired(Item)) return undefined;
    return toStoredPop(Item);
  }

  /**
   * Record the outcome of delivery: which connections (and instances) the pop reached, Failed with a reason if none
   * did, and whether no push was confirmed.
   */
  /**
   * Record where delivery reached. Marking the pop Failed is conditional on it still being Sent: a caller may recall a
   * pop (its PopId is in the event feed at once) before this runs, and a recall is final.
   */
  async recordDelivery(tenant: string, popId: string, delivery: DeliveryRecord): Promise<void> {
    const { failureReason } = delivery;
    const set = ['SentTo = :sentTo', 'SentToInstances = :instances', 'Unconfirmed = :unconfirmed', 'UpdatedAt = :at'];
    if (failureReason) set.push('#status = :failed', 'Reason = :reason');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pop(tenant, popId),
          UpdateExpression: `SET ${set.join(', ')}`,
          ConditionExpression: failureReason ? 'attribute_exists(PK) AND #status = :sent' : 'attribute_exists(PK)',
          ExpressionAttributeNames: failureReason ? { '#status': 'Status' } : undefined,
          ExpressionAttributeValues: {
            ':sentTo': [...delivery.sentTo],
            ':instances': [...delivery.sentToInstances],
            ':unconfirmed': delivery.unconfirmed === true,
            ':at': new Date(this.now()).toISOString(),
            ...(failureReason ? { ':failed': 'Failed', ':reason': failureReason, ':sent': 'Sent' } : {}),
          },
        }),
      );
    } catch (error) {
      // Only a pop no longer Sent (recalled meanwhile) fails the Failed branch's extra condition: it keeps its status.
      if (!(failureReason && isConditionFailure(error))) throw error;
    }
  }

  /**
   * Persist a status change decided by `next` (status.ts), only if the pop is still as it was read: same status and
   * as many failures noted. Two acks racing on one pop cannot both win; the loser re-reads (acknowledge.ts).
   * Returns the pop as stored after the change, or undefined when the pop had changed meanwhile.
   */
  async saveTransition(
    read: Pick<StoredPop, 'tenant' | 'PopId' | 'Status' | 'failedBy'>,
    change: PopChange,
  ): Promise<StoredPop | undefined> {
    const set = ['UpdatedAt = :at'];
    const values: Record<string, unknown> = {
      ':at': new Date(this.now()).toISOString(),
      ':was': read.Status,
      ':failures': read.failedBy.length,
    };
    if (change.status !== undefined) {
      set.push('#status = :status');
      values[':status'] = change.status;
    }
    if (change.reason !== undefined) {
      set.push('Reason = :reason');
      values[':reason'] = change.reason;
    }
    if (change.failedBy !== undefined) {
      set.push('FailedBy = :failedBy');
      values[':failedBy'] = [...change.failedBy];
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pop(read.tenant, read.PopId),
          UpdateExpression: `SET ${set.join(', ')}${change.reason === undefined && change.status !== undefined ? ' REMOVE Reason' : ''}`,
          ConditionExpression:
            'attribute_exists(PK) AND #status = :was AND (size(FailedBy) = :failures OR (attribute_not_exists(FailedBy) AND :failures = :zero))',
          ExpressionAttributeNames: { '#status': 'Status' },
          ExpressionAttributeValues: { ...values, ':zero': 0 },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return toStoredPop(Attributes!);
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return undefined;
    }
  }

  /**
   * Reserve an Idempotency-Key for one request (identified by its fingerprint) for the key's lifetime.
   * A repeat gets the first answer once stored; a concurrent repeat learns that the first is still in progress.
   */
  async reserveIdempotencyKey(
    tenant: string,
    key: string,
    fingerprint: string,
    lifetimeMs: number,
    leaseMs: number = IDEMPOTENCY_LEASE_MS,
  ): Promise<IdempotencyReservation> {
    const now = this.now();
    const itemKey = keys.idempotency(tenant, key);
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            ...itemKey,
            Type: 'IdempotencyKey',
            Fingerprint: fingerprint,
            ValidUntil: now + lifetimeMs,
            LeaseUntil: now + leaseMs,
            [TABLE_KEYS.ttlAttribute]: epochSeconds(now + lifetimeMs),
          },
          // A reservation never answered (its request failed, and so did releasing it) is free again after the lease.
          ConditionExpression:
            'attribute_not_exists(#pk) OR ValidUntil < :now OR (attribute_not_exists(Outcome) AND LeaseUntil < :now)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { kind: 'reserved' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: itemKey, ConsistentRead: true }),
    );
    if (!Item) return { kind: 'inProgress' };
    if (Item.Fingerprint !== fingerprint) return { kind: 'reusedForOtherRequest' };
    if (typeof Item.Outcome === 'string' && typeof Item.RequestId === 'string') {
      return { kind: 'answered', answer: { requestId: Item.RequestId, outcome: JSON.parse(Item.Outcome) as unknown } };
    }
    return { kind: 'inProgress' };
  }

  async storeIdempotentAnswer(tenant: string, key: string, answer: IdempotentAnswer): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.idempotency(tenant, key),
        UpdateExpression: 'SET Outcome = :outcome, RequestId = :requestId',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':outcome': JSON.stringify(answer.outcome), ':requestId': answer.requestId },
      }),
    );
  }

  /** Forget a reservation whose request failed for a reason a retry may not meet (e.g. the store was down). */
  async releaseIdempotencyKey(tenant: string, key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.idempotency(tenant, key) }));
  }

  private expired(item: Record<string, NativeAttributeValue>): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
}

/**
 * The pop as it stands at `now`: a held pop past its deadline is Expired (HoldExpired) even before the hold timer
 * (lambdas/pops/holdExpiry.ts) has stored it, so no reader sees it Held after its deadline. With `claimWindowMs`, a
 * pop still Sent a claim window after it was sent is Expired (Unconfirmed): no instance said what became of it (a
 * stack stopped or crashed with its Acks, a push lost), so a caller waiting on it ends and is told why. Only the
 * reading changes: a late Ack (the reference instance sends its recent Acks again on reconnecting) still applies.
 */
export function asOf(pop: StoredPop, now: number, claimWindowMs?: number): StoredPop {
  if (pop.Status === 'Sent' && claimWindowMs !== undefined) {
    const deadline = Date.parse(pop.UpdatedAt) + claimWindowMs;
    if (deadline > now) return pop;
    return { ...pop, Status: 'Expired', Reason: 'Unconfirmed', UpdatedAt: new Date(deadline).toISOString() };
  }
  if (pop.Status !== 'Held' || pop.holdUntil === undefined || pop.holdUntil > now) return pop;
  return { ...pop, Status: 'Expired', Reason: 'HoldExpired', UpdatedAt: new Date(pop.holdUntil).toISOString() };
}

/** What a caller may see of a stored pop (GET /pops/{PopId}). */
export function toPopRecord(pop: StoredPop): PopRecord {
  return {
    PopId: pop.PopId,
    Username: pop.Username,
    Campaign: pop.Campaign,
    ...(pop.Reference !== undefined ? { Reference: pop.Reference } : {}),
    Status: pop.Status,
    ...(pop.Reason !== undefined ? { Reason: pop.Reason } : {}),
    CreatedAt: pop.CreatedAt,
    UpdatedAt: pop.UpdatedAt,
  };
}

function toStoredPop(item: Record<string, NativeAttributeValue>): StoredPop {
  return {
    tenant: item.Tenant,
    PopId: item.PopId,
    Username: item.Username,
    Campaign: item.Campaign,
    ...(item.Reference !== undefined ? { Reference: item.Reference } : {}),
    Status: item.Status,
    ...(item.Reason !== undefined ? { Reason: item.Reason } : {}),
    CreatedAt: item.CreatedAt,
    UpdatedAt: item.UpdatedAt,
    sentTo: Array.isArray(item.SentTo) ? item.SentTo : [],
    sentToInstances: Array.isArray(item.SentToInstances) ? item.SentToInstances : [],
    failedBy: Array.isArray(item.FailedBy) ? item.FailedBy : [],
    unconfirmed: item.Unconfirmed === true,
    ...(typeof item.HoldUntil === 'number' ? { holdUntil: item.HoldUntil } : {}),
  };
}
