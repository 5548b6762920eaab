/**
 * Where the campaign catalogues and licence states the instances publish are kept. Catalogue entries sit
 * in the tenant's catalogue partition, one per campaign and connection, so a pop reads every entry of its campaign
 * with one Query while it Queries the agent's presence (lambdas/pops/popPlan.ts): no sequential round trip. Each entry
 * is also on the ByConnection index and carries the connection's TTL, so it goes with its connection (disconnect, a
 * pop finding it gone, TTL; lambdas/presence/connectionStore.ts `removeConnection`). The agent's licence state and the
 * Sequence of the connection's complete catalogue are attributes of its presence items, read by the presence Query.
 */
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { CatalogueCampaign } from '../../contract/catalogue';
import { MAX_CATALOGUE_CAMPAIGNS } from '../../contract/limits';
import type { ConnectionItem } from '../presence/connectionStore';
import { TABLE_KEYS, keys } from '../store/tableSchema';
import { connectionIndexQuery, queryAll } from '../store/queryAll';
import { CatalogueReader, type CatalogueEntry } from './catalogueReader';
import { isConditionFailure, raiseConnectionSequence } from '../store/conditions';

type Item = Record<string, NativeAttributeValue>;

export type { CatalogueEntry };

/** What the ByConnection index shows of one connection: its complete catalogue's Sequence and its agents' licences. */
export interface ConnectionView {
  readonly catalogue?: number;
  readonly agents: readonly { readonly agent: string; readonly licensed?: boolean }[];
}

export type PartOutcome = 'complete' | 'pending' | 'stale';

/** A part's campaigns against the publication's cap: counted (or already counted), or over MAX_CATALOGUE_CAMPAIGNS. */
export type Reservation = 'counted' | 'over';

/** Writes at once per connection: bounded so a large Desktop does not flood the table. */
const PARALLEL_WRITES = 16;

export class CatalogueStore extends CatalogueReader {
  /** A part's campaigns; an entry already written by a newer publication is left as it is. */
  async putCampaigns(
    connection: ConnectionItem,
    sequence: number,
    campaigns: readonly CatalogueCampaign[],
  ): Promise<void> {
    await inBatches(campaigns, async (campaign) => {
      try {
        await this.db.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...keys.catalogueEntry(connection.tenant, campaign.Name, connection.connectionId),
              [TABLE_KEYS.byConnectionIndex.partitionKey]: keys.connectionIndex(connection.connectionId),
              [TABLE_KEYS.byConnectionIndex.sortKey]: `CAMPAIGN#${keys.catalogueCampaignPrefix(campaign.Name)}`,
              Type: 'Campaign',
              Tenant: connection.tenant,
              ConnectionId: connection.connectionId,
              Instance: connection.instance,
              Sequence: sequence,
              Campaign: campaign,
              [TABLE_KEYS.ttlAttribute]: connection.expiresAt,
            },
            ConditionExpression: 'attribute_not_exists(#pk) OR #seq <= :seq',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#seq': 'Sequence' },
            ExpressionAttributeValues: { ':seq': sequence },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
  }

  /**
   * Counts a part of publication `sequence` on the connection item (parts may be handled in parallel): 'complete' for
   * the call that saw the last part, 'stale' when a newer publication has started (or the connection is gone).
   */
  async recordPart(connectionId: string, sequence: number, part: number, parts: number): Promise<PartOutcome> {
    for (let attempt = 0; attempt < 2; attempt++) {
      const seen = await this.addPart(connectionId, sequence, part);
      if (seen !== undefined) return seen >= parts ? 'complete' : 'pending';
      if (!(await this.startPublication(connectionId, sequence, part))) continue;
      return parts === 1 ? 'complete' : 'pending';
    }
    return 'stale';
  }

  /**
   * Counts a part's campaigns toward its publication's MAX_CATALOGUE_CAMPAIGNS on the connection item, once per part
   * (a part sent again is not counted again): 'over' when they would pass it. A newer publication starts its own
   * count; a part of an older one is let through, for recordPart to call it stale.
   */
  async reserveCampaigns(connectionId: string, sequence: number, part: number, count: number): Promise<Reservation> {
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await this.countPart(connectionId, sequence, part, count)) return 'counted';
      const { Item } = await this.db.send(
        new GetCommand({ TableName: this.tableName, Key: keys.connection(connectionId), ConsistentRead: true }),
      );
      if (!Item || (typeof Item.CatalogueCountSeq === 'number' && Item.CatalogueCountSeq > sequence)) return 'counted';
      if (Item.CatalogueCountSeq === sequence) {
        if ((Item.CatalogueCounted as Set<number> | undefined)?.has(part)) return 'counted';
        if (((Item.CatalogueCount as number | undefined) ?? 0) + count > MAX_CATALOGUE_CAMPAIGNS) return 'over';
        continue;
      }
      if (await this.startCount(connectionId, sequence, part, count)) return 'counted';
    }
    return 'counted';
  }

  private async countPart(connectionId: string, sequence: number, part: number, count: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.connection(connectionId),
        UpdateExpression: 'ADD CatalogueCounted :part, CatalogueCount :n',
        ConditionExpression:
          'attribute_exists(#pk) AND CatalogueCountSeq = :seq AND NOT contains(CatalogueCounted, :p) AND CatalogueCount <= :room',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
        ExpressionAttributeValues: {
          ':part': new Set([part]),
          ':p': part,
          ':n': count,
          ':seq': sequence,
          ':room': MAX_CATALOGUE_CAMPAIGNS - count,
        },
      }),
    );
  }

  private async startCount(connectionId: string, sequence: number, part: number, count: number): Promise<boolean> {
    return this.conditional(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.connection(connectionId),
        UpdateExpression: 'SET CatalogueCountSeq = :seq, CatalogueCounted = :part, CatalogueCount = :n',
        ConditionExpression:
          'attribute_exists(#pk) AND (attribute_not_exists(CatalogueCountSeq) OR CatalogueCountSeq < :seq)',
        ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
        ExpressionAttributeValues: { ':part': new Set([part]), ':n': count, ':seq': sequence },
      }),
    );
  }

  /** True when the conditional update was applied, false when its condition failed. */
  private async conditional(command: UpdateCommand): Promise<boolean> {
    try {
      await this.db.send(command);
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  private async addPart(connectionId: string, sequence: number, part: number): Promise<number | undefined> {
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connection(connectionId),
          UpdateExpression: 'ADD CatalogueParts :part',
          ConditionExpression: 'attribute_exists(#pk) AND CataloguePending = :seq',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':part': new Set([part]), ':seq': sequence },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return (Attributes?.CatalogueParts as Set<number> | undefined)?.size ?? 0;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return undefined;
    }
  }

  /** The first part seen of a newer publication; false when another part started it first or it is not newer. */
  private async startPublication(connectionId: string, sequence: number, part: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.connection(connectionId),
          UpdateExpression: 'SET CataloguePending = :seq, CatalogueParts = :part',
          ConditionExpression:
            'attribute_exists(#pk) AND (attribute_not_exists(CataloguePending) OR CataloguePending < :seq)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':part': new Set([part]), ':seq': sequence },
        }),
      );
      return true;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
  }

  /** Makes `sequence` the connection's catalogue unless a newer one already is; true when it did. */
  completeCatalogue(connectionId: string, sequence: number): Promise<boolean> {
    return raiseConnectionSequence(this.db, this.tableName, connectionId, 'Catalogue', sequence);
  }

  /** The Sequence of the connection's complete catalogue, strongly consistent; undefined when it published none. */
  async catalogueOf(connectionId: string): Promise<number | undefined> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.connection(connectionId),
        ConsistentRead: true,
        ProjectionExpression: 'Catalogue',
      }),
    );
    return typeof Item?.Catalogue === 'number' ? Item.Catalogue : undefined;
  }

  /** Entries of campaigns a newer publication left out (checks read them as absent already; this frees the space). */
  async removeOlderEntries(connection: ConnectionItem, sequence: number): Promise<void> {
    const older = (await this.indexed(connection.connectionId)).filter(
      (item) => item.Type === 'Campaign' && item.Sequence < sequence,
    );
    await inBatches(older, async (item) => {
      await this.db
        .send(
          new DeleteCommand({
            TableName: this.tableName,
            Key: { PK: item.PK, SK: item.SK },
            ConditionExpression: '#seq < :seq',
            ExpressionAttributeNames: { '#seq': 'Sequence' },
            ExpressionAttributeValues: { ':seq': sequence },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    });
  }

  /**
   * Sets attributes on the connection's presence items for these agents, only where the presence exists (an update
   * would otherwise create a presence without its keys' other attributes) and, with `licenceSequence`, only where no
   * newer licence update was applied.
   */
  async markPresence(
    connection: ConnectionItem,
    agents: readonly { agent: string; values: Record<string, NativeAttributeValue> }[],
    licenceSequence?: number,
  ): Promise<void> {
    await inBatches(agents, async ({ agent, values }) => {
      const names = Object.keys(values);
      const sequenced = licenceSequence !== undefined;
      try {
        await this.db.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.presence(connection.tenant, agent, connection.connectionId),
            UpdateExpression: `SET ${[...names.map((_, i) => `#a${i} = :v${i}`), ...(sequenced ? ['LicenceSequence = :ls'] : [])].join(', ')}`,
            ConditionExpression: `attribute_exists(#pk)${sequenced ? ' AND (attribute_not_exists(LicenceSequence) OR LicenceSequence <= :ls)' : ''}`,
            ExpressionAttributeNames: {
              '#pk': TABLE_KEYS.partitionKey,
              ...Object.fromEntries(names.map((name, i) => [`#a${i}`, name])),
            },
            ExpressionAttributeValues: {
              ...Object.fromEntries(names.map((key, i) => [`:v${i}`, values[key]])),
              ...(sequenced ? { ':ls': licenceSequence } : {}),
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
    });
  }

  /** The connection item and presence of one connection, as the ByConnection index shows them; undefined when gone. */
  async connectionView(connectionId: string): Promise<ConnectionView | undefined> {
    const items = (await this.indexed(connectionId)).filter((item) => !this.expired(item));
    const record = items.find((item) => item.Type === 'Connection');
    if (!record) return undefined;
    const agents = items
      .filter((item) => item.Type === 'Presence')
      .map((item) => ({
        agent: item.Agent as string,
        ...(typeof item.Licensed === 'boolean' ? { licensed: item.Licensed } : {}),
      }));
    return { ...(typeof record.Catalogue === 'number' ? { catalogue: record.Catalogue } : {}), agents };
  }

  private indexed(connectionId: string): Promise<Item[]> {
    return queryAll(this.db, connectionIndexQuery(this.tableName, connectionId));
  }
}

/** Runs `write` over the items, PARALLEL_WRITES at a time. */
async function inBatches<T>(items: readonly T[], write: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += PARALLEL_WRITES) {
    await Promise.all(items.slice(start, start + PARALLEL_WRITES).map(write));
  }
}
