/**
 * Every item a Query matches, page after page: DynamoDB answers at most 1 MB per page, and a store that read only
 * the first would silently miss presence, catalogue entries or Desktop parts. The one pagination loop of the stores.
 */
import {
  QueryCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, keys } from './tableSchema';

export type StoredItem = Record<string, NativeAttributeValue>;

export async function queryAll(
  db: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
): Promise<StoredItem[]> {
  const items: StoredItem[] = [];
  let startKey: Record<string, NativeAttributeValue> | undefined;
  do {
    const page = await db.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** What the ByConnection index shows of one connection (eventually consistent: a recent write may be missing). */
export function connectionIndexQuery(tableName: string, connectionId: string): QueryCommandInput {
  return {
    TableName: tableName,
    IndexName: TABLE_KEYS.byConnectionIndex.name,
    KeyConditionExpression: '#pk = :pk',
    ExpressionAttributeNames: { '#pk': TABLE_KEYS.byConnectionIndex.partitionKey },
    ExpressionAttributeValues: { ':pk': keys.connectionIndex(connectionId) },
  };
}
