import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { CONNECTION_LIFETIME_MS, TABLE_KEYS, epochSeconds, keys } from '../store/tableSchema';



export interface ConnectionItem {
  readonly connectionId: string;
  readonly tenant: string;
  /** The Cognito user of the Scripting instance. */
  readonly username: string;
  readonly instance: string;
  readonly connectedAt: number;
  /** Epoch seconds (DynamoDB TTL). */
  readonly expiresAt: number;
}

export interface AgentConnection {
  readonly connectionId: string;
  readonly instance: string;
}

const BATCH = 25;

/**
 * Connections of Scripting instances and which agents' Desktops each holds.
 * Reads ignore items whose TTL has passed: DynamoDB deletes expired items late (the emulator never does).
 */
export class ConnectionStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number = Date.now,
  ) {}

  async putConnection(connection: Omit<ConnectionItem, 'expiresAt'>): Promise<ConnectionItem> {
    const item: ConnectionItem = {
      ...connection,
      expiresAt: epochSeconds(connection.connectedAt + CONNECTION_LIFETIME_MS),
    };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.connection(item.connectionId),
          [TABLE_KEYS.byConnectionIndex.partitionKey]: keys.connectionIndex(item.connectionId),
          [TABLE_KEYS.byConnectionIndex.sortKey]: 'CONN',
          Type: 'Connection',
          ConnectionId: item.connectionId,
          Tenant: item.tenant,
          Username: item.username,
          Instance: item.instance,
          ConnectedAt: item.connectedAt,
          [TABLE_KEYS.ttlAttribute]: item.expiresAt,
        },
      }),
    );
    return item;
  }

  async getConnection(connectionId: string): Promise<ConnectionItem | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.connection(connectionId), ConsistentRead: true }),
    );
    if (!Item || this.expired(Item)) return undefined;
    return {
      connectionId: Item.ConnectionId,
      tenant: Item.Tenant,
      username: Item.Username,
      instance: Item.Instance,
      connectedAt: Item.ConnectedAt,
      expiresAt: Item[TABLE_KEYS.ttlAttribute],
    };
  }

  /** The connections that hold this agent's Desktop: one Query, whatever else the table holds. */
  async connectionsForAgent(tenant: string, agent: string): Promise<AgentConnection[]> {
    const found: AgentConnection[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.agent(tenant, agent) },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!this.expired(item)) found.push({ connectionId: item.ConnectionId, instance: item.Instance });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  }

  /** Agents whose Desktop this connection holds. */
  async agentsOf(connectionId: string): Promise<string[]> {
    return (await this.ownedItems(connectionId))
      .filter((item) => item.Type === 'Presence' && !this.expired(item))
      .map((item) => item.Agent as string);
  }

  /** Make the connection's presence exactly `agents` (the instance's full Desktop list). */
  async replaceDesktop(connection: ConnectionItem, agents: readonly string[]): Promise<void> {
    const wanted = new Set(agents);
    const owned = (await this.ownedItems(connection.connectionId)).filter((item) => item.Type === 'Presence');
    const present = new Set(owned.map((item) => item.Agent as string));
    const removals = owned.filter((item) => !wanted.has(item.Agent));
    const additions = [...wanted].filter((agent) => !present.has(agent));
    await this.batchWrite([
      ...removals.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
      ...additions.map((agent) => ({ PutRequest: { Item: this.presenceItem(connection, agent) } })),
    ]);
  }

  async addPresence(connection: ConnectionItem, agent: string): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.presenceItem(connection, agent) }));
  }

  async removePresence(connection: ConnectionItem, agent: string): Promise<void> {
    await this.batchWrite([
      { DeleteRequest: { Key: keys.presence(connection.tenant, agent, connection.connectionId) } },
    ]);
  }

  /** Everything the connection owns (its own item and its presence), found by one Query and deleted at once. */
  async removeConnection(connectionId: string): Promise<number> {
    const owned = await this.ownedItems(connectionId);
    await this.batchWrite(owned.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })));
    return owned.length;
  }

  private presenceItem(connection: ConnectionItem, agent: string): Record<string, unknown> {
    return {
      ...keys.presence(connection.tenant, agent, connection.connectionId),
      [TABLE_KEYS.byConnectionIndex.partitionKey]: keys.connectionIndex(connection.connectionId),
      [TABLE_KEYS.byConnectionIndex.sortKey]: `AGENT#${encodeURIComponent(agent)}`,
      Type: 'Presence',
      Tenant: connection.tenant,
      Agent: agent,
      ConnectionId: connection.connectionId,
      Instance: connection.instance,
      [TABLE_KEYS.ttlAttribute]: connection.expiresAt,
    };
  }

  private async ownedItems(connectionId: string): Promise<Record<string, any>[]> {
    const items: Record<string, any>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: TABLE_KEYS.byConnectionIndex.name,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.byConnectionIndex.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.connectionIndex(connectionId) },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    for (let start = 0; start < requests.length; start += BATCH) {
      let pending: Record<string, unknown>[] | undefined = requests.slice(start, start + BATCH);
      // Unprocessed items are retried with back-off: a throttled batch must not silently leave presence behind.
      for (let attempt = 0; pending && pending.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 25 * 2 ** attempt)));
        if (attempt > 6) throw new Error('BatchWrite left unprocessed items after retries');
        const result = await this.db.send(
          new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }),
        );
        pending = result.UnprocessedItems?.[this.tableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  private expired(item: Record<string, any>): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
}
