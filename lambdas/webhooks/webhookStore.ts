/**
 * Webhook endpoints, one item each under the tenant's partition (`WEBHOOK#<tenant>`, lambdas/store/tableSchema.ts), so
 * listing is one Query and no key of another tenant can be named. Persistence only: the rules are in
 * webhookHandlers.ts and delivery.ts. The signing secrets are stored sealed (secretBox.ts: the ciphertext, IV, tag
 * and the KMS-encrypted data key, never the plain secret), so neither a role that reads the table nor a backup holds
 * one; they are never answered after creation or rotation. An item written before that keeps its plain `Secret` until
 * its next rotation (`rotate`), which seals both the new secret and the old one.
 */
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { PopStatus } from '../../contract/statuses';
import { keys } from '../store/tableSchema';
import { appliedUnlessConditionFails } from '../store/conditions';
import type { SealedSecret } from './secretBox';

export interface StoredWebhook {
  readonly tenant: string;
  readonly webhookId: string;
  readonly url: string;
  /** Empty: every status. */
  readonly events: readonly PopStatus[];
  /** The signing secret, sealed (secretBox.ts). */
  readonly sealedSecret?: SealedSecret;
  /** The secret before the last rotation, sealed, signing alongside until `previousSecretExpiresAt`. */
  readonly previousSealedSecret?: SealedSecret;
  /** An item written before secrets were sealed: its plain secrets, until its next rotation. */
  readonly secret?: string;
  readonly previousSecret?: string;
  readonly previousSecretExpiresAt?: string;
  readonly createdAt: string;
  readonly lastDeliveryAt?: string;
  readonly lastError?: string;
  readonly failingSince?: string;
  readonly deadLettered: number;
}

/** As DynamoDB stores it: a map of four binaries. */
const sealedItem = (sealed: SealedSecret) => ({
  Key: sealed.encryptedKey,
  Iv: sealed.iv,
  Tag: sealed.tag,
  Data: sealed.ciphertext,
});

function sealedOf(value: unknown): SealedSecret | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const map = value as Record<string, Uint8Array>;
  return { encryptedKey: map.Key!, iv: map.Iv!, tag: map.Tag!, ciphertext: map.Data! };
}

/** The secrets of an item: sealed, or plain in an item written before they were sealed. */
function secretsOf(item: Record<string, unknown>): Partial<StoredWebhook> {
  const sealed = sealedOf(item.SecretSealed);
  const previousSealed = sealedOf(item.PreviousSecretSealed);
  return {
    ...(sealed ? { sealedSecret: sealed } : {}),
    ...(previousSealed ? { previousSealedSecret: previousSealed } : {}),
    ...(typeof item.Secret === 'string' ? { secret: item.Secret } : {}),
    ...(typeof item.PreviousSecret === 'string' ? { previousSecret: item.PreviousSecret } : {}),
  };
}

function fromItem(item: Record<string, unknown>): StoredWebhook {
  return {
    tenant: String(item.Tenant),
    webhookId: String(item.WebhookId),
    url: String(item.Url),
    events: (item.Events as PopStatus[] | undefined) ?? [],
    createdAt: String(item.CreatedAt),
    deadLettered: Number(item.DeadLettered ?? 0),
    ...secretsOf(item),
    ...(typeof item.PreviousSecretExpiresAt === 'string'
      ? { previousSecretExpiresAt: item.PreviousSecretExpiresAt }
      : {}),
    ...(typeof item.LastDeliveryAt === 'string' ? { lastDeliveryAt: item.LastDeliveryAt } : {}),
    ...(typeof item.LastError === 'string' ? { lastError: item.LastError } : {}),
    ...(typeof item.FailingSince === 'string' ? { failingSince: item.FailingSince } : {}),
  };
}

export class WebhookStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** A new endpoint with its sealed secret. */
  async put(webhook: StoredWebhook & { readonly sealedSecret: SealedSecret }): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.webhook(webhook.tenant, webhook.webhookId),
          Type: 'Webhook',
          Tenant: webhook.tenant,
          WebhookId: webhook.webhookId,
          Url: webhook.url,
          Events: [...webhook.events],
          SecretSealed: sealedItem(webhook.sealedSecret),
          CreatedAt: webhook.createdAt,
          DeadLettered: 0,
        },
        ConditionExpression: 'attribute_not_exists(PK)',
      }),
    );
  }

  async get(tenant: string, webhookId: string): Promise<StoredWebhook | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.webhook(tenant, webhookId), ConsistentRead: true }),
    );
    return Item ? fromItem(Item) : undefined;
  }

  async list(tenant: string): Promise<StoredWebhook[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.webhooks(tenant) },
        ConsistentRead: true,
      }),
    );
    return (Items ?? [])
      .map(fromItem)
      .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
  }

  /** False when there was none. */
  async remove(tenant: string, webhookId: string): Promise<boolean> {
    return this.conditional(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.webhook(tenant, webhookId),
        ConditionExpression: 'attribute_exists(PK)',
      }),
    );
  }

  /**
   * The new secret signs from now; the old one alongside until `previousExpiresAt`: the sealed one moves over as it
   * is. False when the item is gone or no longer has a sealed secret (rotated or deleted meanwhile: read it again).
   */
  async rotate(tenant: string, webhookId: string, sealed: SealedSecret, previousExpiresAt: string): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.webhook(tenant, webhookId),
        UpdateExpression:
          'SET PreviousSecretSealed = SecretSealed, PreviousSecretExpiresAt = :until, SecretSealed = :sealed',
        ConditionExpression: 'attribute_exists(SecretSealed)',
        ExpressionAttributeValues: { ':sealed': sealedItem(sealed), ':until': previousExpiresAt },
      }),
    );
  }

  /**
   * The rotation of an item written before secrets were sealed: its plain secret, sealed by the caller, becomes the
   * previous one, and every plain secret is removed. False when its plain secret is no longer `plain`.
   */
  async rotatePlain(
    tenant: string,
    webhookId: string,
    plain: string,
    sealed: { readonly current: SealedSecret; readonly previous: SealedSecret },
    previousExpiresAt: string,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.webhook(tenant, webhookId),
        UpdateExpression:
          'SET SecretSealed = :sealed, PreviousSecretSealed = :previous, PreviousSecretExpiresAt = :until ' +
          'REMOVE Secret, PreviousSecret',
        ConditionExpression: 'Secret = :plain',
        ExpressionAttributeValues: {
          ':sealed': sealedItem(sealed.current),
          ':previous': sealedItem(sealed.previous),
          ':until': previousExpiresAt,
          ':plain': plain,
        },
      }),
    );
  }

  /** A delivery the endpoint accepted: no longer failing. */
  async recordSuccess(tenant: string, webhookId: string, at: string): Promise<void> {
    await this.update(tenant, webhookId, 'SET LastDeliveryAt = :at REMOVE FailingSince', { ':at': at });
  }

  /** A failed attempt: the error, and since when it fails (kept from the first failure). */
  async recordFailure(
    tenant: string,
    webhookId: string,
    at: string,
    error: string,
    deadLettered: boolean,
  ): Promise<void> {
    const dead = deadLettered ? ', DeadLettered = if_not_exists(DeadLettered, :zero) + :one' : '';
    await this.update(
      tenant,
      webhookId,
      `SET LastError = :error, FailingSince = if_not_exists(FailingSince, :at)${dead}`,
      {
        ':error': error,
        ':at': at,
        ...(deadLettered ? { ':zero': 0, ':one': 1 } : {}),
      },
    );
  }

  private update(
    tenant: string,
    webhookId: string,
    expression: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.webhook(tenant, webhookId),
        UpdateExpression: expression,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeValues: values,
      }),
    );
  }

  private conditional(command: DeleteCommand | UpdateCommand): Promise<boolean> {
    return appliedUnlessConditionFails(this.db, command);
  }
}
