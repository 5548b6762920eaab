/**
 * Every item of the given Types, page after page: one filtered Scan of the whole table, for the local stack's own
 * reads of its emulator (the console's snapshot, forgetting an earlier run's connections). Never done in AWS: the
 * functions Query by key (lambdas/store/queryAll.ts).
 */
import { ScanCommand, type DynamoDBDocumentClient, type NativeAttributeValue } from '@aws-sdk/lib-dynamodb';

export type ScannedItem = Record<string, NativeAttributeValue>;

export async function scanByType(
  db: DynamoDBDocumentClient,
  tableName: string,
  types: readonly string[],
  projection?: string,
): Promise<ScannedItem[]> {
  const values = Object.fromEntries(types.map((type, i) => [`:type${i}`, type]));
  const items: ScannedItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: `#type IN (${Object.keys(values).join(', ')})`,
        ExpressionAttributeNames: { '#type': 'Type' },
        ExpressionAttributeValues: values,
        ...(projection ? { ProjectionExpression: projection } : {}),
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}
