import type { AddressInfo } from 'node:net';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTable } from '../../../local/provision';

// dynalite ships no types; this is the part we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: { createTableMs: number }) => import('node:http').Server;

export interface TestTable {
  readonly db: DynamoDBDocumentClient;
  readonly raw: DynamoDBClient;
  readonly tableName: string;
  stop(): Promise<void>;
}

/** A real DynamoDB emulator (dynalite, in process, in memory) with the project's table; about 10 ms to start. */
export async function startTestTable(tableName = 'remote-pop-test'): Promise<TestTable> {
  const server = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const raw = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await createTable(raw, tableName);
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true } });
  return {
    db,
    raw,
    tableName,
    stop: async () => {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
