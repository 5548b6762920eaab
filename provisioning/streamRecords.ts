/**
 * Reads a failed batch's records back from the table's stream with the DynamoDB Streams API (GetShardIterator at the
 * batch's first sequence number, then GetRecords until past its last), for `events replay` (eventCommands.ts,
 * lambdas/events/streamReplay.ts). Locally the stream proxy answers the same calls (local/streams/streamsApi.ts).
 */
import {
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { compareSequence, type FailedBatch, type StreamRecords } from '../lambdas/events/streamReplay';

/** Pages with no record in a row before the shard is taken as read to its end (an open shard answers empty pages). */
const MAX_EMPTY_PAGES = 5;

const gone = (error: unknown) =>
  ['TrimmedDataAccessException', 'ExpiredIteratorException', 'ResourceNotFoundException'].includes(
    (error as { name?: string }).name ?? '',
  );

/** The stream's records as Lambda hands them over (ApproximateCreationDateTime in seconds, not a Date). */
const asLambdaRecord = (record: _Record): DynamoDBRecord => {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    ...record,
    dynamodb: {
      ...record.dynamodb,
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
    },
  } as DynamoDBRecord;
};

export function streamRecordsOf(client: DynamoDBStreamsClient): StreamRecords {
  return {
    async read(batch: FailedBatch) {
      let iterator: string | undefined;
      try {
        ({ ShardIterator: iterator } = await client.send(
          new GetShardIteratorCommand({
            StreamArn: batch.streamArn,
            ShardId: batch.shardId,
            ShardIteratorType: 'AT_SEQUENCE_NUMBER',
            SequenceNumber: batch.startSequenceNumber,
          }),
        ));
      } catch (error) {
        if (gone(error)) return undefined;
        throw error;
      }
      return readRange(client, iterator, batch.endSequenceNumber);
    },
  };
}

async function readRange(client: DynamoDBStreamsClient, first: string | undefined, end: string) {
  const records: DynamoDBRecord[] = [];
  let iterator = first;
  for (let empty = 0; iterator && empty < MAX_EMPTY_PAGES;) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1000 }));
    const read = page.Records ?? [];
    empty = read.length === 0 ? empty + 1 : 0;
    for (const record of read) {
      if (compareSequence(record.dynamodb?.SequenceNumber ?? '0', end) > 0) return records;
      records.push(asLambdaRecord(record));
    }
    if (records.length > 0 && records[records.length - 1]!.dynamodb?.SequenceNumber === end) return records;
    iterator = page.NextShardIterator;
  }
  return records;
}
