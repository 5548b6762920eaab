/**
 * Conditional writes that may lose a race: DynamoDB refuses them with ConditionalCheckFailedException, which the
 * stores read as "someone else got there first", not as a failure. Matched by name, as the error can come from
 * either the DynamoDB client or the document client's copy of it.
 */
import type { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

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
