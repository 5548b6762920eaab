import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
} from '@aws-sdk/lib-dynamodb';
import { TABLE_KEYS, keys } from '../store/tableSchema';
import { queryAll } from '../store/queryAll';
import { batchWrite } from '../store/batchWrite';
import { raiseConnectionSequence } from '../store/conditions';
import type { ConnectionItem } from './connectionStore';

/** What recording one part found: the set is still missing parts, complete (this caller applies it), or not ours to use. */
export type PartRecorded =
  | { readonly kind: 'waiting'; readonly received: number }
  | { readonly kind: 'complete' }
  | { readonly kind: 'partsDiffer'; readonly parts: number }
  | { readonly kind: 'alreadyComplete' };

const SEQUENCE_ATTRIBUTE = 'DesktopSequence';

/**
 * The parts of a Desktop list sent in several messages (contract/webSocket.ts), kept under the connection's partition
 * until the last one arrives. API Gateway may run one connection's messages at the same time, so each part is its
 * own item and the set's item counts them: exactly one caller learns that the set is complete.
 */
export class DesktopPartStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  /** The Sequence of the last list applied to this connection (strongly consistent); -1 when none. */
  async appliedSequence(connectionId: string): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.connection(connectionId),
        ConsistentRead: true,
        ProjectionExpression: '#s',
        ExpressionAttributeNames: { '#s': SEQUENCE_ATTRIBUTE },
      }),
    );
    const value: unknown = Item?.[SEQUENCE_ATTRIBUTE];
    return typeof value === 'number' ? value : -1;
  }

  /** Store one part, then add its number to the set's item; the update that completes the set claims it, once. */
  async recordPart(
    connection: ConnectionItem,
    sequence: number,
    part: number,
    parts: number,
    agents: readonly string[],
  ): Promise<PartRecorded> {
    const ttl = { [TABLE_KEYS.ttlAttribute]: connection.expiresAt };
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          ...keys.desktopPart(connection.connectionId, sequence, part),
          Type: 'DesktopPart',
          Agents: [...agents],
          ...ttl,
        },
      }),
    );
    let received: Set<number>;
    try {
      const { Attributes } = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.desktopParts(connection.connectionId, sequence),
          UpdateExpression: 'ADD Received :part SET Parts = :parts, #type = :type, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(Parts) OR Parts = :parts',
          ExpressionAttributeNames: { '#type': 'Type', '#ttl': TABLE_KEYS.ttlAttribute },
          ExpressionAttributeValues: {
            ':part': new Set([part]),
            ':parts': parts,
            ':type': 'DesktopParts',
            ':ttl': connection.expiresAt,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      received = (Attributes?.Received as Set<number> | undefined) ?? new Set();
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { kind: 'partsDiffer', parts: await this.partsOf(connection.connectionId, sequence) };
    }
    if (received.size < parts) return { kind: 'waiting', received: received.size };
    return (await this.claimSet(connection.connectionId, sequence))
      ? { kind: 'complete' }
      : { kind: 'alreadyComplete' };
  }

  /** Every agent of the set's parts, in part order (strongly consistent: the last part was written a moment ago). */
  async agentsOf(connectionId: string, sequence: number): Promise<string[]> {
    const parts = await this.partItems(connectionId, sequence);
    return parts.sort((a, b) => partNumber(a.SK) - partNumber(b.SK)).flatMap((item) => item.Agents as string[]);
  }

  /**
   * Record `sequence` as applied, unless a later list already was (an older list completing late must not replace a
   * newer one). False when refused, or when the connection is gone.
   */
  markApplied(connectionId: string, sequence: number): Promise<boolean> {
    return raiseConnectionSequence(this.db, this.tableName, connectionId, SEQUENCE_ATTRIBUTE, sequence);
  }

  /** Deletes the set's parts once used (its item stays, marked applied, so a late duplicate part finds it complete). */
  async removeParts(connectionId: string, sequence: number): Promise<void> {
    const parts = await this.partItems(connectionId, sequence);
    await batchWrite(
      this.db,
      this.tableName,
      parts.map((item) => ({ DeleteRequest: { Key: { PK: item.PK, SK: item.SK } } })),
    );
  }

  private async claimSet(connectionId: string, sequence: number): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.desktopParts(connectionId, sequence),
          UpdateExpression: 'SET Claimed = :true',
          ConditionExpression: 'attribute_not_exists(Claimed)',
          ExpressionAttributeValues: { ':true': true },
        }),
      );
      return true;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return false;
    }
  }

  private async partsOf(connectionId: string, sequence: number): Promise<number> {
    const { Item } = await this.db.send(
      new GetCommand({
        TableName: this.tableName,
        Key: keys.desktopParts(connectionId, sequence),
        ConsistentRead: true,
      }),
    );
    return typeof Item?.Parts === 'number' ? Item.Parts : 0;
  }

  private partItems(connectionId: string, sequence: number): Promise<Record<string, NativeAttributeValue>[]> {
    return queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': TABLE_KEYS.partitionKey, '#sk': TABLE_KEYS.sortKey },
      ExpressionAttributeValues: {
        ':pk': keys.connection(connectionId).PK,
        ':prefix': keys.desktopPartsPrefix(sequence),
      },
      ConsistentRead: true,
    });
  }
}

const partNumber = (sortKey: string): number => Number(sortKey.slice(sortKey.lastIndexOf('#') + 1));
