/**
 * Disabled means out at once (docs/edge.md): after `disable` or `delete`, the user's tokens are revoked in the table
 * (lambdas/auth/revocations.ts: POST /pop and the WebSocket $connect authorizer refuse them) and its WebSocket
 * connections are closed through the stage's @connections API (DeleteConnection). Needs the stack's table and
 * WebSocket URL, so a target given as --user-pool-id alone cannot revoke (the command says so).
 */
import { existsSync, readFileSync } from 'fs';
import { resolve } from 'path';
import { ApiGatewayManagementApiClient, DeleteConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { revokeTokens } from '../lambdas/auth/revocations';
import type { CommandContext } from './commands';
import { resolveTableTarget } from './tableTarget';
import { resolveRestApiTarget } from './usagePlanTarget';

const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** What became of the user's tokens and connections, for the command's last line. */
export type RevocationReport =
  { readonly kind: 'revoked'; readonly closed: number; readonly cache: CacheFlush } | { readonly kind: 'noTable' };

/** What became of the REST authorizer's cached answers: flushed, no REST API in the target, or the flush failed. */
type CacheFlush = 'flushed' | 'none' | 'failed';

/**
 * API Gateway may cache the REST authorizer's answer per token (lib/stackSettings.ts restAuthorizerCacheSeconds): the
 * stage's cache is flushed so no cached answer outlives the revocation. With no cache (the default) it is a no-op.
 */
async function flushAuthorizerCache(context: CommandContext): Promise<CacheFlush> {
  let api;
  try {
    api = await resolveRestApiTarget(context);
    if (!api) return 'none';
    await api.client.send(new FlushStageAuthorizersCacheCommand({ restApiId: api.restApiId, stageName: api.stage }));
    return 'flushed';
  } catch {
    return 'failed';
  } finally {
    api?.client.destroy();
  }
}

/** The WebSocket URL from the endpoints file (`cdk deploy --outputs-file` or the local stack's) or the stack's outputs. */
async function webSocketUrl(context: CommandContext): Promise<string | undefined> {
  const { target, io } = context;
  if (target.stack !== undefined) {
    const cloudFormation = context.deps?.cloudFormation?.(target.region) ?? new CloudFormationClient({});
    try {
      const answer = await cloudFormation.send(new DescribeStacksCommand({ StackName: target.stack }));
      return answer.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === 'WebSocketUrl')?.OutputValue;
    } finally {
      cloudFormation.destroy();
    }
  }
  const file = resolve(target.endpoints ?? resolve(io.env.LOCAL_DIR || '.local', 'endpoints.json'));
  if (!existsSync(file)) return undefined;
  const content = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const nested = Object.values(content).find(
    (v): v is Record<string, unknown> => typeof v === 'object' && v !== null && 'WebSocketUrl' in v,
  );
  const url = content.WebSocketUrl ?? nested?.WebSocketUrl;
  return typeof url === 'string' ? url : undefined;
}

/**
 * The user's connections: the table has no index by user, so a filtered Scan. An operator's command, run when a
 * user is disabled; no function scans (test/cdk/leastPrivilege.test.ts).
 */
async function connectionsOf(db: DynamoDBDocumentClient, tableName: string, username: string): Promise<string[]> {
  const ids: string[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: '#type = :connection',
        ExpressionAttributeNames: { '#type': 'Type' },
        ExpressionAttributeValues: { ':connection': 'Connection' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) {
      if (String(item.Username).toLowerCase() === username.toLowerCase()) ids.push(String(item.ConnectionId));
    }
    start = page.LastEvaluatedKey;
  } while (start);
  return ids;
}

/** Close each connection; one already gone is not an error. */
async function closeConnections(url: string, ids: readonly string[], local: boolean): Promise<number> {
  // The management API is the stage's own URL over HTTP(S): wss://host/stage -> https://host/stage.
  const endpoint = url.replace(/^ws(s?):\/\//, 'http$1://');
  const management = new ApiGatewayManagementApiClient({
    endpoint,
    ...(local ? { region: 'us-east-1', credentials: LOCAL_CREDENTIALS } : {}),
  });
  let closed = 0;
  try {
    for (const id of ids) {
      try {
        await management.send(new DeleteConnectionCommand({ ConnectionId: id }));
        closed += 1;
      } catch (error) {
        if ((error as { name?: string }).name !== 'GoneException') throw error;
      }
    }
  } finally {
    management.destroy();
  }
  return closed;
}

/** Revoke the user's tokens and close its connections. */
export async function revokeUser(context: CommandContext, username: string): Promise<RevocationReport> {
  if (context.target.userPoolId !== undefined) return { kind: 'noTable' };
  const { endpoints, stack, region } = context.target;
  const table = await resolveTableTarget({ endpoints, stack, region }, context.io.env, context.deps);
  try {
    await revokeTokens(table.client, table.tableName, username);
    const url = await webSocketUrl(context);
    const ids = url ? await connectionsOf(table.client, table.tableName, username) : [];
    const closed = url ? await closeConnections(url, ids, table.endpoint !== undefined) : 0;
    return { kind: 'revoked', closed, cache: await flushAuthorizerCache(context) };
  } finally {
    table.client.destroy();
  }
}

/** The sentence the command ends with. */
export function revocationLine(report: RevocationReport): string {
  if (report.kind === 'noTable') {
    return (
      'Tokens it already holds stay valid until they expire: give --stack or --endpoints instead of ' +
      '--user-pool-id so they are revoked and its connections closed.'
    );
  }
  const cache =
    report.cache === 'failed'
      ? " The REST authorizer's cache could not be flushed (apigateway:DELETE on the stage's cache): with " +
        'restAuthorizerCacheSeconds above 0 its tokens still read until their cached answer expires.'
      : '';
  return `Its tokens are revoked; ${report.closed} WebSocket connection(s) closed.${cache}`;
}
