/**
 * A stack started over the data of an earlier run (npm start keeps DynamoDB in LOCAL_DATA_DIR) holds the connection
 * items of that run: their WebSockets died with its gateway and no `$disconnect` ran. Left there, POST /pop/validate
 * and GET /campaigns would count them while POST /pop finds them gone (410) and answers AgentNotOnDesktop
 * (test/e2e/reliability/README.md). Every connection of an earlier run is gone, so each is removed with everything it owns, as `$disconnect`
 * would (lambdas/presence/connectionStore.ts `removeConnection`), before the gateway serves anything.
 * A Scan: fine on the emulator at start, never done in AWS (where a missed `$disconnect` waits for a pop or the TTL).
 */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ConnectionStore } from '../lambdas/presence/connectionStore';
import { scanByType } from './tableScan';

export async function forgetEarlierConnections(client: DynamoDBClient, tableName: string): Promise<number> {
  const db = DynamoDBDocumentClient.from(client);
  const store = new ConnectionStore(db, tableName);
  const ids = (await scanByType(db, tableName, ['Connection'], 'ConnectionId'))
    .map((item) => item.ConnectionId)
    .filter((id): id is string => typeof id === 'string');
  for (const id of ids) await store.removeConnection(id);
  return ids.length;
}
