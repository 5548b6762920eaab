/**
 * The read POST /pop makes of the catalogues: every connection's entry for one campaign, one Query. Apart
 * from the writer (catalogueStore.ts) so the pop bundle carries only this.
 */
import { QueryCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';
import type { CatalogueCampaign } from '../../contract/catalogue';
import { MAX_CAMPAIGNS_PAGE_BYTES } from '../../contract/limits';
import { TABLE_KEYS, keys } from '../store/tableSchema';
import { queryAll } from '../store/queryAll';

type Item = Record<string, NativeAttributeValue>;

export interface CatalogueEntry {
  readonly connectionId: string;
  readonly instance: string;
  readonly sequence: number;
  readonly campaign: CatalogueCampaign;
}

/** One page of the tenant's entries: whole campaigns only, and the sort key to continue after when more follow. */
export interface EntriesPage {
  readonly entries: CatalogueEntry[];
  readonly lastKey?: string;
}

/** Items per Query while paging: a page of campaigns rarely needs more than one read. */
const PAGE_READ = 200;

/** The campaign part of an entry's sort key: key parts carry no '#' (tableSchema.ts `part`). */
const campaignOfKey = (sortKey: string) => sortKey.slice(0, sortKey.indexOf('#'));

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

  /**
   * The entries of at most `names` campaigns after sort key `after`, in key order, ending sooner once their
   * definitions pass MAX_CAMPAIGNS_PAGE_BYTES; a campaign's entries (one per connection) are never split.
   */
  async entriesPage(tenant: string, after: string | undefined, names: number): Promise<EntriesPage> {
    const items: Item[] = [];
    const seen = new Set<string>();
    let bytes = 0;
    let startKey: Item | undefined = after === undefined ? undefined : { PK: keys.catalogue(tenant), SK: after };
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey },
          ExpressionAttributeValues: { ':pk': keys.catalogue(tenant) },
          ConsistentRead: true,
          Limit: PAGE_READ,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const name = campaignOfKey(String(item[TABLE_KEYS.sortKey]));
        if (!seen.has(name) && (seen.size === names || bytes >= MAX_CAMPAIGNS_PAGE_BYTES)) {
          return { entries: this.entries(items), lastKey: String(items.at(-1)![TABLE_KEYS.sortKey]) };
        }
        seen.add(name);
        bytes += JSON.stringify(item.Campaign ?? null).length;
        items.push(item);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return { entries: this.entries(items) };
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
    return this.entries(items);
  }

  private entries(items: readonly Item[]): CatalogueEntry[] {
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
