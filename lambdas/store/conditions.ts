/**
 * Conditional writes that may lose a race: DynamoDB refuses them with ConditionalCheckFailedException, which the
 * stores read as "someone else got there first", not as a failure. Matched by name, as the error can come from
 * either the DynamoDB client or the document client's copy of it.
 */
import { UpdateCommand, type DeleteCommand, type DynamoDBDocumentClient, type PutCommand } from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, keys } from './tableSchema';

export const isConditionFailure = (error: unknown): boolean =>
  (error as { name?: string })?.name === 'ConditionalCheckFailedException';

/** Sends a conditional write: true when it was applied, false when its condition failed; any other error throws. */
export async function appliedUnlessConditionFails(
  db: DynamoDBDocumentClient,
  command: PutCommand | UpdateCommand | DeleteCommand,
): Promise<boolean> {
  try {
    // send's overloads take one command type at a time, not a union of them.
    await db.send(command as PutCommand);
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Sets a sequence `attribute` of the connection's item to `sequence` unless it already holds that one or a later one (a
 * list or catalogue completing late must not replace a newer one); false when refused, or when the connection is gone.
 */
export function raiseConnectionSequence(
  db: DynamoDBDocumentClient,
  tableName: string,
  connectionId: string,
  attribute: string,
  sequence: number,
): Promise<boolean> {
  return appliedUnlessConditionFails(
    db,
    new UpdateCommand({
      TableName: tableName,
      Key: keys.connection(connectionId),
      UpdateExpression: 'SET #s = :seq',
      ConditionExpression: 'attribute_exists(#pk) AND (attribute_not_exists(#s) OR #s < :seq)',
      ExpressionAttributeNames: { '#s': attribute, '#pk': TABLE_KEYS.partitionKey },
      ExpressionAttributeValues: { ':seq': sequence },
    }),
  );
}
