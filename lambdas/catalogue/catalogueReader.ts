/**
 * The read POST /pop makes of the catalogues: every connection's entry for one campaign, one Query. Apart
 * from the writer (catalogueStore.ts) so the pop bundle carries only this.
 */
import type { DynamoDBDocumentClient, NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { CatalogueCampaign } from '../../contract/catalogue';
import { TABLE_KEYS, keys } from '../store/tableSchema';
import { queryAll } from '../store/queryAll';

type Item = Record<string, NativeAttributeValue>;

export interface CatalogueEntry {
  readonly connectionId: string;
  readonly instance: string;
  readonly sequence: number;
  readonly campaign: CatalogueCampaign;
}

export class CatalogueReader {
  constructor(
    protected readonly db: DynamoDBDocumentClient,
    protected readonly tableName: string,
    protected readonly now: () => number = Date.now,
  ) {}

  /** Every connection's entry for one campaign of the tenant: one Query. */
  async entriesFor(tenant: string, campaign: string): Promise<CatalogueEntry[]> {
    return this.query(tenant, keys.catalogueCampaignPrefix(campaign));
  }

  /** Every entry of the tenant (GET /campaigns). */
  async allEntries(tenant: string): Promise<CatalogueEntry[]> {
    return this.query(tenant);
  }

  protected async query(tenant: string, prefix?: string): Promise<CatalogueEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: prefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: {
        '#pk': TABLE_KEYS.partitionKey,
        ...(prefix === undefined ? {} : { '#sk': TABLE_KEYS.sortKey }),
      },
      ExpressionAttributeValues: {
        ':pk': keys.catalogue(tenant),
        ...(prefix === undefined ? {} : { ':prefix': prefix }),
      },
      ConsistentRead: true,
    });
    return items
      .filter((item) => !this.expired(item))
      .map((item) => ({
        connectionId: item.ConnectionId,
        instance: item.Instance,
        sequence: item.Sequence,
        campaign: item.Campaign,
      }));
  }

  protected expired(item: Item): boolean {
    const expiresAt = item[TABLE_KEYS.ttlAttribute];
    return typeof expiresAt === 'number' && expiresAt * 1000 <= this.now();
  }
}
