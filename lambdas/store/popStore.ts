import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, epochSeconds, keys } from './tableSchema';

import { type AckStatus, type PopStatus } from '../domain/popStatuses';

export { ACK_STATUSES, POP_STATUSES, type AckStatus, type PopStatus } from '../domain/popStatuses';

/** Which statuses an acknowledgement may move a pop from: status only moves forward. */
const MAY_FOLLOW: Readonly<Record<AckStatus, readonly PopStatus[]>> = {
  Delivered: ['Sent'],
  Opened: ['Sent', 'Delivered'],
  Unchanged: ['Sent', 'Delivered'],
  Failed: ['Sent', 'Delivered'],
};

export interface PopRecord {
  readonly PopId: string;
  readonly Username: string;
  readonly Campaign: string;
  readonly Reference?: string;
  readonly Status: PopStatus;
  readonly Reason?: string;
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
}

export interface StoredPop extends PopRecord {
  readonly tenant: string;
  readonly sentTo: readonly string[];
  /** Connections that reported Failed (the pop fails only when all it was sent to did). */
  readonly failedBy: readonly string[];
}

export type ClaimOutcome =
  | { readonly kind: 'claimed' }
  | { readonly kind: 'heldBySameUser'; readonly popId: string; readonly claimedAt: number }
  | { readonly kind: 'heldByOtherUser' };

export type AckOutcome =
  | { readonly kind: 'updated'; readonly pop: StoredPop }
  | { readonly kind: 'unchanged'; readonly pop: StoredPop }
  /** This connection failed the pop, but another connection it was sent to has not answered yet. */
  | { readonly kind: 'failureNoted'; readonly pop: StoredPop }
  | { readonly kind: 'notFound' }
  | { readonly kind: 'notSentToConnection' }
  | { readonly kind: 'alreadyFinal'; readonly status: PopStatus };

export interface IdempotentAnswer {
  readonly statusCode: number;
  readonly body: string;
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

const isConditionFailure = (error: unknown) => (error as { name?: string })?.name === 'ConditionalCheckFailedException';

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
      const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }));
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

  async putPop(pop: Omit<StoredPop, 'failedBy'>, retentionMs: number): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
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
          [TABLE_KEYS.ttlAttribute]: epochSeconds(this.now() + retentionMs),
        },
      }),
    );
  }

  /** A pop of this tenant only: another tenant's PopId is simply not found. */
  async getPop(tenant: string, popId: string): Promise<StoredPop | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.pop(tenant, popId), ConsistentRead: true }),
    );
    if (!Item || this.expired(Item)) return undefined;
    return toStoredPop(Item);
  }

  /** Record the outcome of delivery: which connections took the pop, and Failed with a reason if none did. */
  async recordDelivery(tenant: string, popId: string, sentTo: readonly string[], failureReason?: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.pop(tenant, popId),
        UpdateExpression: failureReason
          ? 'SET SentTo = :sentTo, #status = :failed, Reason = :reason, UpdatedAt = :at'
          : 'SET SentTo = :sentTo, UpdatedAt = :at',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: failureReason ? { '#status': 'Status' } : undefined,
        ExpressionAttributeValues: {
          ':sentTo': [...sentTo],
          ':at': new Date(this.now()).toISOString(),
          ...(failureReason ? { ':failed': 'Failed', ':reason': failureReason } : {}),
        },
      }),
    );
  }

  /**
   * Apply an instance's acknowledgement: only for a pop of the connection's tenant that was sent to that connection,
   * and only forward (Sent -> Delivered -> Opened | Unchanged | Failed). A repeated ack changes nothing.
   * A pop pushed to several instances (the agent is on more than one Desktop) is Opened as soon as one opens it, and
   * Failed only once every instance it was sent to has failed it: one instance's NoLicence must not hide another's
   * Opened, nor give the record claim back while the record is open there.
   */
  async acknowledge(ack: {
    tenant: string;
    popId: string;
    connectionId: string;
    status: AckStatus;
    reason?: string;
  }): Promise<AckOutcome> {
    if (ack.status === 'Failed') return this.acknowledgeFailure(ack);
    const allowed = MAY_FOLLOW[ack.status];
    const values: Record<string, unknown> = {
      ':status': ack.status,
      ':at': new Date(this.now()).toISOString(),
      ':conn': ack.connectionId,
    };
    allowed.forEach((status, index) => (values[`:from${index}`] = status));
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pop(ack.tenant, ack.popId),
          UpdateExpression: 'SET #status = :status, UpdatedAt = :at REMOVE Reason',
          ConditionExpression: `attribute_exists(PK) AND contains(SentTo, :conn) AND #status IN (${allowed
            .map((_, index) => `:from${index}`)
            .join(', ')})`,
          ExpressionAttributeNames: { '#status': 'Status' },
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'updated', pop: toStoredPop(Attributes!) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    return this.whyNot(ack);
  }

  private async acknowledgeFailure(ack: { tenant: string; popId: string; connectionId: string; reason?: string }): Promise<AckOutcome> {
    const key = keys.pop(ack.tenant, ack.popId);
    const reason = ack.reason ?? 'Unknown';
    const open = { ':sent': 'Sent', ':delivered': 'Delivered' };
    let item: Record<string, any>;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET FailedBy = list_append(if_not_exists(FailedBy, :none), :failed), UpdatedAt = :at',
          ConditionExpression:
            'attribute_exists(PK) AND contains(SentTo, :conn) AND NOT contains(FailedBy, :conn) AND #status IN (:sent, :delivered)',
          ExpressionAttributeNames: { '#status': 'Status' },
          ExpressionAttributeValues: {
            ':none': [],
            ':failed': [ack.connectionId],
            ':conn': ack.connectionId,
            ':at': new Date(this.now()).toISOString(),
            ...open,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      item = Attributes!;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.whyNot({ ...ack, status: 'Failed' });
    }
    const failedBy = new Set<string>(item.FailedBy ?? []);
    const sentTo: string[] = Array.isArray(item.SentTo) ? item.SentTo : [];
    if (!sentTo.every((connectionId) => failedBy.has(connectionId))) {
      return { kind: 'failureNoted', pop: toStoredPop(item) };
    }
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: 'SET #status = :failed, Reason = :reason, UpdatedAt = :at',
          // Another instance may have opened it in between: then Opened stands.
          ConditionExpression: '#status IN (:sent, :delivered)',
          ExpressionAttributeNames: { '#status': 'Status' },
          ExpressionAttributeValues: { ':failed': 'Failed', ':reason': reason, ':at': new Date(this.now()).toISOString(), ...open },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { kind: 'updated', pop: toStoredPop(Attributes!) };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.whyNot({ ...ack, status: 'Failed' });
    }
  }

  /** Why an acknowledgement changed nothing. */
  private async whyNot(ack: { tenant: string; popId: string; connectionId: string; status: AckStatus }): Promise<AckOutcome> {
    const current = await this.getPop(ack.tenant, ack.popId);
    if (!current) return { kind: 'notFound' };
    if (!current.sentTo.includes(ack.connectionId)) return { kind: 'notSentToConnection' };
    if (current.Status === ack.status || (ack.status === 'Failed' && current.failedBy.includes(ack.connectionId))) {
      return { kind: 'unchanged', pop: current };
    }
    return { kind: 'alreadyFinal', status: current.Status };
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
          ConditionExpression: 'attribute_not_exists(#pk) OR ValidUntil < :now OR (attribute_not_exists(StatusCode) AND LeaseUntil < :now)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { kind: 'reserved' };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: itemKey, ConsistentRead: true }));
    if (!Item) return { kind: 'inProgress' };
    if (Item.Fingerprint !== fingerprint) return { kind: 'reusedForOtherRequest' };
    if (typeof Item.StatusCode === 'number' && typeof Item.Body === 'string') {
      return { kind: 'answered', answer: { statusCode: Item.StatusCode, body: Item.Body } };
    }
    return { kind: 'inProgress' };
  }

  async storeIdempotentAnswer(tenant: string, key: string, answer: IdempotentAnswer): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.idempotency(tenant, key),
        UpdateExpression: 'SET StatusCode = :code, Body = :body',
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: { ':code': answer.statusCode, ':body': answer.body },
      }),
    );
  }

  /** Forget a reservation whose request failed for a reason a retry may not meet (e.g. the store was down). */
  async releaseIdempotencyKey(tenant: string, key: string): Promise<void> {
    await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keys.idempotency(tenant, key) }));
  }

  private expired(item: Record<string, any>): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
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

function toStoredPop(item: Record<string, any>): StoredPop {
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
    failedBy: Array.isArray(item.FailedBy) ? item.FailedBy : [],
  };
}
