/**
 * The part of the DynamoDB Streams API the replay reads with (GetShardIterator, GetRecords: provisioning/
 * streamRecords.ts), answered from the records the local stream keeps (streamDispatcher.ts) by the stream proxy
 * (dynamoStreamProxy.ts), so the real `@aws-sdk/client-dynamodb-streams` client works against the local stack.
 * One shard (LOCAL_SHARD_ID); an iterator is the next sequence number to read, encoded.
 */
import { LOCAL_SHARD_ID, type StreamDispatcher } from './streamDispatcher';

export const STREAMS_TARGET_PREFIX = 'DynamoDBStreams_20120810.';

export interface StreamsAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

const error = (type: string, message: string): StreamsAnswer => ({
  status: 400,
  body: { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message },
});
const iterator = (next: bigint) => Buffer.from(JSON.stringify({ next: String(next) })).toString('base64url');
const positionOf = (text: unknown): bigint | undefined => {
  try {
    return BigInt((JSON.parse(Buffer.from(String(text), 'base64url').toString('utf8')) as { next: string }).next);
  } catch {
    return undefined;
  }
};

function getShardIterator(stream: StreamDispatcher, request: Record<string, unknown>): StreamsAnswer {
  if (request.StreamArn !== stream.streamArn || request.ShardId !== LOCAL_SHARD_ID)
    return error('ResourceNotFoundException', 'Requested resource not found');
  const type = String(request.ShardIteratorType);
  const at = /^\d+$/.test(String(request.SequenceNumber ?? '')) ? BigInt(String(request.SequenceNumber)) : undefined;
  const start =
    type === 'AT_SEQUENCE_NUMBER' && at !== undefined
      ? at
      : type === 'AFTER_SEQUENCE_NUMBER' && at !== undefined
        ? at + 1n
        : type === 'LATEST'
          ? stream.nextSequence()
          : type === 'TRIM_HORIZON'
            ? 0n
            : undefined;
  if (start === undefined) return error('ValidationException', `Invalid ShardIteratorType or SequenceNumber`);
  if (type !== 'TRIM_HORIZON' && type !== 'LATEST' && stream.read(start, 1) === undefined)
    return error('TrimmedDataAccessException', 'The requested sequence number is beyond the trim horizon');
  return { status: 200, body: { ShardIterator: iterator(start) } };
}

function getRecords(stream: StreamDispatcher, request: Record<string, unknown>): StreamsAnswer {
  const from = positionOf(request.ShardIterator);
  if (from === undefined) return error('ValidationException', 'Invalid ShardIterator');
  const limit = Math.min(Math.max(Number(request.Limit ?? 1000) || 1000, 1), 1000);
  const records = stream.read(from, limit);
  if (records === undefined) return error('TrimmedDataAccessException', 'The iterator is beyond the trim horizon');
  const last = records[records.length - 1]?.dynamodb?.SequenceNumber;
  return {
    status: 200,
    body: { Records: records, NextShardIterator: iterator(last !== undefined ? BigInt(last) + 1n : from) },
  };
}

/** The answer to one Streams API call (`target` without its prefix). */
export function answerStreams(stream: StreamDispatcher, target: string, request: Record<string, unknown>) {
  if (target === 'GetShardIterator') return getShardIterator(stream, request);
  if (target === 'GetRecords') return getRecords(stream, request);
  return error('UnknownOperationException', `${target} is not emulated locally (local/README.md)`);
}
