import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { CONNECTION_LIFETIME_MS, TABLE_KEYS, epochSeconds, keys, part } from '../store/tableSchema';
import { connectionIndexQuery, queryAll } from '../store/queryAll';
import { batchWrite } from '../store/batchWrite';

/**
 * The ByConnection index is eventually consistent, so a presence item written a moment ago may be missing from it. Each
 * connection therefore also records the agents it holds under its own partition (`keys.heldAgent`, one small item per
 * agent, read strongly consistently), so a Desktop swap or a disconnect right after a Login still removes them, and
 * keeps their number on its item (`DesktopCount`) for the one Desktop cap. One item per agent, not a set on the
 * connection item: 5,000 names of up to 512 bytes would pass DynamoDB's 400 KB item limit.
 */
const COUNT_ATTRIBUTE = 'DesktopCount';
/** The string set older connection items kept instead; still read, so a deploy leaves no presence behind. */
const LEGACY_DESKTOP_ATTRIBUTE = 'Desktop';

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
  /** The Sequence of the instance's complete campaign catalogue; absent: it publishes none, no checks. */
  readonly catalogue?: number;
  /** The agent's licence state on that instance, as it last published it; absent: unknown. */
  readonly licensed?: boolean;
}

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
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.agent(tenant, agent) },
      ConsistentRead: true,
    });
    return items
      .filter((item) => !this.expired(item))
      .map((item) => ({
        connectionId: item.ConnectionId,
        instance: item.Instance,
        ...(typeof item.InstanceUser === 'string' ? { username: item.InstanceUser } : {}),
        ...(typeof item.Catalogue === 'number' ? { catalogue: item.Catalogue } : {}),
        ...(typeof item.Licensed === 'boolean' ? { licensed: item.Licensed } : {}),
      }));
  }

  /** Agents whose Desktop this connection holds. */
  async agentsOf(connectionId: string): Promise<string[]> {
    return (await this.ownedItems(connectionId))
      .filter((item) => item.Type === 'Presence' && !this.expired(item))
      .map((item) => item.Agent as string);
  }

  /**
   * Make the connection's presence exactly `agents` (the instance's full Desktop list). The count moves by what changed,
   * not to `agents.length`, so a Login racing this list is counted once (or, when both write the same agent, twice:
   * the cap then refuses one agent early, never lets one pass).
   */
  async replaceDesktop(connection: ConnectionItem, agents: readonly string[]): Promise<void> {
    const wanted = new Set(agents);
    const held = await this.heldAgents(connection.connectionId);
    const removals = [...held].filter((agent) => !wanted.has(agent));
    const { connectionId } = connection;
    await this.batchWrite([
      ...removals.flatMap((agent) => [
        { DeleteRequest: { Key: keys.presence(connection.tenant, agent, connectionId) } },
        { DeleteRequest: { Key: keys.heldAgent(connectionId, agent) } },
      ]),
      // Every wanted agent is (re)written: one the index does not show yet may exist or not, and a put is idempotent.
      ...[...wanted].flatMap((agent) => [
        { PutRequest: { Item: this.presenceItem(connection, agent) } },
        { PutRequest: { Item: this.heldItem(connection, agent) } },
      ]),
    ]);
    const added = [...wanted].filter((agent) => !held.has(agent)).length;
    await this.addToCount(connectionId, added - removals.length);
  }

  /**
   * Put one agent on the connection's Desktop, unless it already holds `cap` agents. The held-agent item is written
   * only if absent, and only that first write counts, with a conditional increment: Logins racing each other cannot
   * pass the cap together, and the same agent twice counts once.
   */
  async addPresence(
    connection: ConnectionItem,
    agent: string,
    cap: number = Number.MAX_SAFE_INTEGER,
  ): Promise<'added' | 'full'> {
    const fresh = await this.putIfAbsent(this.heldItem(connection, agent));
    if (fresh && !(await this.addToCount(connection.connectionId, 1, cap))) {
      await this.db.send(
        new DeleteCommand({ TableName: this.tableName, Key: keys.heldAgent(connection.connectionId, agent) }),
      );
      // Full, or the connection item is gone (then there is nothing to count against).
      if (await this.connectionRecord(connection.connectionId)) return 'full';
    }
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: this.presenceItem(connection, agent) }));
    return 'added';
  }

  async removePresence(connection: ConnectionItem, agent: string): Promise<void> {
    const { Attributes } = await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: keys.heldAgent(connection.connectionId, agent),
        ReturnValues: 'ALL_OLD',
      }),
    );
    await this.batchWrite([
      { DeleteRequest: { Key: keys.presence(connection.tenant, agent, connection.connectionId) } },
    ]);
    if (Attributes) await this.addToCount(connection.connectionId, -1);
  }

  /**
   * Everything the connection owns, deleted at once: its partition (its item, held agents, Desktop parts, read
   * strongly consistently), the presence its held agents name, and what the index shows.
   */
  async removeConnection(connectionId: string): Promise<number> {
    const [own, indexed] = await Promise.all([this.partitionItems(connectionId), this.ownedItems(connectionId)]);
    const owned = new Map<string, { PK: string; SK: string }>();
    const add = (key: { PK: string; SK: string }) => owned.set(`${key.PK}|${key.SK}`, { PK: key.PK, SK: key.SK });
    for (const item of [...own, ...indexed]) add(item as { PK: string; SK: string });
    for (const item of own) {
      if (item.Type === 'HeldAgent') add(keys.presence(item.Tenant, item.Agent, connectionId));
      if (item.Type === 'Connection')
        for (const agent of legacyDesktopCopy(item)) add(keys.presence(item.Tenant, agent, connectionId));
    }
    // The connection's item goes last: a clean-up cut short (the function's timeout) leaves it, with its TTL, so the
    // next removeConnection of this id (a pop finding it gone, local/earlierConnections.ts) still finds the rest.
    const item = keys.connection(connectionId);
    const self = `${item.PK}|${item.SK}`;
    const found = owned.delete(self);
    await this.batchWrite([...owned.values()].map((Key) => ({ DeleteRequest: { Key } })));
    if (found) await this.batchWrite([{ DeleteRequest: { Key: item } }]);
    return owned.size + (found ? 1 : 0);
  }

  /** The connection's own item, strongly consistent. */
  private async connectionRecord(connectionId: string): Promise<Item | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({ TableName: this.tableName, Key: keys.connection(connectionId), ConsistentRead: true }),
    );
    return Item;
  }

  /** The agents this connection may hold presence for: the index's view and the held-agent items together. */
  private async heldAgents(connectionId: string): Promise<Set<string>> {
    const [own, indexed] = await Promise.all([this.partitionItems(connectionId), this.ownedItems(connectionId)]);
    const fromIndex = indexed.filter((item) => item.Type === 'Presence').map((item) => item.Agent as string);
    const fromOwn = own.flatMap((item) =>
      item.Type === 'HeldAgent' ? [item.Agent as string] : item.Type === 'Connection' ? legacyDesktopCopy(item) : [],
    );
    return new Set([...fromIndex, ...fromOwn]);
  }

  /**
   * Moves the connection's agent count by `delta`, refusing to pass `cap`; only while the connection item exists (an
   * update would otherwise create a stub item without TTL). False when refused or gone.
   */
  private async addToCount(connectionId: string, delta: number, cap?: number): Promise<boolean> {
    if (delta === 0) return true;
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connection(connectionId),
          UpdateExpression: 'ADD #count :delta',
          ConditionExpression:
            cap === undefined
              ? 'attribute_exists(#pk)'
              : 'attribute_exists(#pk) AND (attribute_not_exists(#count) OR #count < :cap)',
          ExpressionAttributeNames: { '#count': COUNT_ATTRIBUTE, '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':delta': delta, ...(cap === undefined ? {} : { ':cap': cap }) },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  /** True when the item was written, false when one with its key existed. */
  private async putIfAbsent(item: Record<string, unknown>): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: item,
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  private heldItem(connection: ConnectionItem, agent: string): Record<string, unknown> {
    return {
      ...keys.heldAgent(connection.connectionId, agent),
      Type: 'HeldAgent',
      Tenant: connection.tenant,
      Agent: agent,
      [TABLE_KEYS.ttlAttribute]: connection.expiresAt,
    };
  }

  private presenceItem(connection: ConnectionItem, agent: string): Record<string, unknown> {
    return {
      ...keys.presence(connection.tenant, agent, connection.connectionId),
      [TABLE_KEYS.byConnectionIndex.partitionKey]: keys.connectionIndex(connection.connectionId),
      // part(): a long name URI-encoded passes the 1024-byte sort key limit (12 bytes a character), which DynamoDB checks on
      // index keys too.
      [TABLE_KEYS.byConnectionIndex.sortKey]: `AGENT#${part(agent)}`,
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
  private ownedItems(connectionId: string): Promise<Item[]> {
    return queryAll(this.db, connectionIndexQuery(this.tableName, connectionId));
  }

  /** Every item under the connection's own partition key, strongly consistent (base table). */
  private partitionItems(connectionId: string): Promise<Item[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':pk': keys.connection(connectionId).PK },
      ConsistentRead: true,
    });
  }

  private async batchWrite(requests: Record<string, unknown>[]): Promise<void> {
    await batchWrite(this.db, this.tableName, requests);
  }

  private expired(item: Item): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
}

/** The agents named by an older connection item's Desktop copy (a string set; absent when empty). */
function legacyDesktopCopy(record: Item): string[] {
  const value: unknown = record[LEGACY_DESKTOP_ATTRIBUTE];
  return value instanceof Set ? [...(value as Set<string>)] : [];
}
