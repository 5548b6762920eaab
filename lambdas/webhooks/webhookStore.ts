/**
 * Webhook endpoints, one item each under the tenant's partition (`WEBHOOK#<tenant>`, lambdas/store/tableSchema.ts), so
 * listing is one Query and no key of another tenant can be named. Persistence only: the rules are in
 * webhookHandlers.ts and delivery.ts. The secrets are stored as they are (signing needs them; the table is encrypted
 * at rest) and never answered after creation or rotation.
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

export interface StoredWebhook {
  readonly tenant: string;
  readonly webhookId: string;
  readonly url: string;
  /** Empty: every status. */
  readonly events: readonly PopStatus[];
  readonly secret: string;
  readonly previousSecret?: string;
  readonly previousSecretExpiresAt?: string;
  readonly createdAt: string;
  readonly lastDeliveryAt?: string;
  readonly lastError?: string;
  readonly failingSince?: string;
  readonly deadLettered: number;
}

function fromItem(item: Record<string, unknown>): StoredWebhook {
  return {
    tenant: String(item.Tenant),
    webhookId: String(item.WebhookId),
    url: String(item.Url),
    events: (item.Events as PopStatus[] | undefined) ?? [],
    secret: String(item.Secret),
    createdAt: String(item.CreatedAt),
    deadLettered: Number(item.DeadLettered ?? 0),
    ...(typeof item.PreviousSecret === 'string' ? { previousSecret: item.PreviousSecret } : {}),
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

  async put(webhook: StoredWebhook): Promise<void> {
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
          Secret: webhook.secret,
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

  /** The new secret signs from now; the old one alongside until `previousExpiresAt`. False when there is no such webhook. */
  async rotate(tenant: string, webhookId: string, secret: string, previousExpiresAt: string): Promise<boolean> {
    return this.update(
      tenant,
      webhookId,
      'SET PreviousSecret = Secret, PreviousSecretExpiresAt = :until, Secret = :secret',
      {
        ':secret': secret,
        ':until': previousExpiresAt,
      },
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
