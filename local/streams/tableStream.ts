/**
 * The local stack's DynamoDB Streams: the proxy the handlers write through (dynamoStreamProxy.ts) and the event
 * source that feeds the stream function in order (streamDispatcher.ts). With a data folder the records not yet
 * handled are kept in a journal there (streamJournal.ts), as DynamoDB keeps what dynalite keeps in that folder.
 * Differences from AWS: local/README.md.
 */
import * as path from 'node:path';
import type { DynamoDBRecord } from 'aws-lambda';
import type { GatewayLog } from '../gateway/log';
import { startStreamProxy } from './dynamoStreamProxy';
import { startStreamDispatcher } from './streamDispatcher';
import { openStreamJournal } from './streamJournal';
import { answerStreams } from './streamsApi';

export interface TableStream {
  /** What the handlers' DynamoDB endpoint is set to; it answers the DynamoDB Streams API too (streamsApi.ts). */
  readonly endpoint: string;
  /** A fault hook: the next `count` invocations of the stream function fail. */
  failInvocations(count: number): void;
  /** The stream function, once the gateway that runs it exists; records wait until then. */
  attach(invoke: (event: { Records: DynamoDBRecord[] }) => Promise<unknown>): void;
  drained(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTableStream(options: {
  readonly dynamoDbEndpoint: string;
  readonly region: string;
  readonly tableName: string;
  readonly log: GatewayLog;
  /** Keep the records not yet handled in `<dataDir>/stream.jsonl`. In memory when absent. */
  readonly dataDir?: string;
  /** The on-failure destination: each batch given up after its retries (streamDispatcher.ts). */
  readonly onFailure?: (message: string) => void;
  /** @default STREAM_RETRY_ATTEMPTS (lib/streamMapping.ts), as deployed */
  readonly retryAttempts?: number;
}): Promise<TableStream> {
  let target: ((event: { Records: DynamoDBRecord[] }) => Promise<unknown>) | undefined;
  const dispatcher = startStreamDispatcher({
    region: options.region,
    tableName: options.tableName,
    invoke: (event) => (target ? target(event) : Promise.reject(new Error('the stream function is not ready yet'))),
    onError: (message) => options.log.error(message),
    ...(options.onFailure ? { onFailure: options.onFailure } : {}),
    ...(options.retryAttempts !== undefined ? { retryAttempts: options.retryAttempts } : {}),
    ...(options.dataDir ? { journal: openStreamJournal(path.join(options.dataDir, 'stream.jsonl')) } : {}),
  });
  const proxy = await startStreamProxy({
    upstream: options.dynamoDbEndpoint,
    onChange: dispatcher.push,
    streams: (target, request) => answerStreams(dispatcher, target, request),
  });
  return {
    endpoint: proxy.endpoint,
    failInvocations: dispatcher.failInvocations,
    attach: (invoke) => {
      target = invoke;
      dispatcher.resume();
    },
    drained: dispatcher.drained,
    stop: async () => {
      await proxy.stop();
      dispatcher.stop();
    },
  };
}
