import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { CONNECTION_LIFETIME_MS, TABLE_KEYS, epochSeconds, keys } from '../store/tableSchema';

/**
 * The connection item's copy of its Desktop (a string set). The ByConnection index is eventually consistent, so a
 * presence item written a moment ago may be missing from it; this copy, read strongly consistently from the base
 * table, names those too, so a Desktop swap or a disconnect right after a Login still removes them.
 */
const DESKTOP_ATTRIBUTE = 'Desktop';

type Item = Record<string, NativeAttributeValue>;
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
  /** The instance's Cognito user (absent on presence written before it was kept): with `instance`, who may Ack. */
  readonly username?: string;
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
    const Item = await this.connectionRecord(connectionId);
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

  /**
   * The connections that hold this agent's Desktop: one Query, whatever else the table holds. Strongly consistent
   * (base table, not an index), so a pop right after a Login finds the agent.
   */
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
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        if (!this.expired(item)) {
          found.push({ connectionId: item.ConnectionId, instance: item.Instance, ...(typeof item.InstanceUser === 'string' ? { username: item.InstanceUser } : {}) });
        }
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
    const held = await this.heldAgents(connection.connectionId);
    const removals = [...held].filter((agent) => !wanted.has(agent));
    await this.batchWrite([
      ...removals.map((agent) => ({ DeleteRequest: { Key: keys.presence(connection.tenant, agent, connection.connectionId) } })),
      // Every wanted agent is (re)written: one the index does not show yet may exist or not, and a put is idempotent.
      ...[...wanted].map((agent) => ({ PutRequest: { Item: this.presenceItem(connection, agent) } })),
    ]);
    await this.updateDesktopCopy(connection.connectionId, wanted.size > 0 ? 'SET #desktop = :agents' : 'REMOVE #desktop', [...wanted]);
  }

  /**
   * Put one agent on the connection's Desktop, unless it already holds `cap` other agents: one conditional write on
   * the Desktop copy, so Logins racing each other cannot pass the cap together.
   */
  async addPresence(connection: ConnectionItem, agent: string, cap: number = Number.MAX_SAFE_INTEGER): Promise<'added' | 'full'> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connection(connection.connectionId),
          UpdateExpression: 'ADD #desktop :agents',
          ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#desktop) OR size(#desktop) < :cap OR contains(#desktop, :agent))',
          ExpressionAttributeNames: { '#desktop': DESKTOP_ATTRIBUTE, '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':agents': new Set([agent]), ':cap': cap, ':agent': agent },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Full, or the connection item is gone (then there is no copy to keep in step, as updateDesktopCopy does).
      if (await this.connectionRecord(connection.connectionId)) return 'full';
    }
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.presenceItem(connection, agent) }));
    return 'added';
  }

  async removePresence(connection: ConnectionItem, agent: string): Promise<void> {
    await this.batchWrite([
      { DeleteRequest: { Key: keys.presence(connection.tenant, agent, connection.connectionId) } },
    ]);
    await this.updateDesktopCopy(connection.connectionId, 'DELETE #desktop :agents', [agent]);
  }

  /**
   * Everything the connection owns (its own item and its presence), deleted at once: what the index shows plus what
   * the connection item's Desktop copy names (presence written too recently for the index).
   */
  async removeConnection(connectionId: string): Promise<number> {
    const [record, indexed] = await Promise.all([this.connectionRecord(connectionId), this.ownedItems(connectionId)]);
    const owned = new Map<string, { PK: string; SK: string }>();
    for (const item of indexed) owned.set(`${item.PK}|${item.SK}`, { PK: item.PK, SK: item.SK });
    if (record) {
      owned.set(`${record.PK}|${record.SK}`, keys.connection(connectionId));
      for (const agent of desktopCopy(record)) {
        const key = keys.presence(record.Tenant, agent, connectionId);
        owned.set(`${key.PK}|${key.SK}`, key);
      }
    }
    await this.batchWrite([...owned.values()].map((Key) => ({ DeleteRequest: { Key } })));
    return owned.size;
  }

  /** The connection's own item, strongly consistent. */
  private async connectionRecord(connectionId: string): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.connection(connectionId), ConsistentRead: true }),
    );
    return Item;
  }

  /** The agents this connection may hold presence for: the index's view and the connection item's copy together. */
  private async heldAgents(connectionId: string): Promise<Set<string>> {
    const [record, indexed] = await Promise.all([this.connectionRecord(connectionId), this.ownedItems(connectionId)]);
    const fromIndex = indexed.filter((item) => item.Type === 'Presence').map((item) => item.Agent as string);
    return new Set([...fromIndex, ...(record ? desktopCopy(record) : [])]);
  }

  /**
   * Changes the connection item's Desktop copy; only while the connection item exists (an update would otherwise
   * create a stub item without TTL). A connection already gone has nothing to keep in step.
   */
  private async updateDesktopCopy(connectionId: string, expression: string, agents: string[]): Promise<void> {
    const withValue = !expression.startsWith('REMOVE');
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connection(connectionId),
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(#pk)',
          ExpressionAttributeNames: { '#desktop': DESKTOP_ATTRIBUTE, '#pk': TABLE_KEYS.partitionKey },
          ...(withValue ? { ExpressionAttributeValues: { ':agents': new Set(agents) } } : {}),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
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
      InstanceUser: connection.username,
      [TABLE_KEYS.ttlAttribute]: connection.expiresAt,
    };
  }

  /** What the ByConnection index shows of the connection (eventually consistent: a recent write may be missing). */
  private async ownedItems(connectionId: string): Promise<Item[]> {
    const items: Item[] = [];
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

  private expired(item: Item): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
}

/** The agents named by a connection item's Desktop copy (a string set; absent when empty). */
function desktopCopy(record: Item): string[] {
  const value: unknown = record[DESKTOP_ATTRIBUTE];
  return value instanceof Set ? [...(value as Set<string>)] : [];
}
