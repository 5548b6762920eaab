/**
 * The measuring process of bench/costProjection.ts: it does nothing but invoke the functions of a pop's path
 * (lambdas/handlers/<name>.ts, loaded as Lambda loads them, with their module-scope clients) and the same AWS calls
 * made bare, and reports process.cpuUsage() (user + system) per invocation. The emulators and the proxies that count
 * the calls run in other processes, so their CPU is not counted here.
 *
 * Input: BENCH_COST_CHILD (JSON, CostChildInput) and the handlers' environment. Talks to its parent over IPC: before
 * each invocation of the counting round it says which function runs (the parent attributes the calls it sees), and at
 * the end it sends its figures.
 */
import '../local/sdkQuiet';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { APIGatewayProxyEvent, Context, DynamoDBStreamEvent } from 'aws-lambda';
import { revocationKey } from '../lambdas/auth/revocations';
import { createConnectionsClient } from '../lambdas/clients/connectionsClient';
import { createDocumentClient } from '../lambdas/clients/documentClient';
import { instanceKey } from '../lambdas/pops/status';
import { TABLE_KEYS, epochSeconds, keys } from '../lambdas/store/tableSchema';
import { context, event as popEvent } from './handlerCpu';
import type { CallWaves } from './costModel';

export const MEASURED_FUNCTIONS = ['pop', 'wsAck', 'popStatus', 'popStream', 'authToken'] as const;
export type MeasuredFunction = (typeof MEASURED_FUNCTIONS)[number];
/** The bare AWS calls of a pop, measured beside the functions. */
export const BARE_POP = 'barePopCalls';

export interface CostChildInput {
  readonly tenant: string;
  readonly agent: string;
  readonly connection: { readonly connectionId: string; readonly username: string; readonly instance: string };
  readonly campaign: string;
  readonly apiUser: { readonly username: string; readonly password: string };
  /** dynalite itself, for reading the images of the stream events (not counted, not timed). */
  readonly directDynamoDbEndpoint: string;
  readonly tableName: string;
  readonly region: string;
  readonly claimWindowSeconds: number;
  readonly popRetentionDays: number;
  readonly invocationsPerPhase: number;
  readonly countedInvocations: number;
  readonly rounds: number;
}

export type ChildMessage =
  | { readonly type: 'invoking'; readonly fn: string }
  | { readonly type: 'counted' }
  | { readonly type: 'result'; readonly result: CostChildResult };
export type ParentMessage = { readonly type: 'go' } | { readonly type: 'popWaves'; readonly waves: CallWaves };

export interface CostChildResult {
  /** Per round: CPU ms per invocation of each function, and of the bare calls. */
  readonly rounds: Record<string, number>[];
  readonly invocationsPerPhase: number;
  /** The bare calls made, wave by wave (the pop's own calls, as counted). */
  readonly bareWaves: CallWaves;
  readonly statusCounts: Record<string, Record<string, number>>;
}

type Handler = (event: unknown, context: Context) => Promise<{ statusCode?: number; body?: string } | unknown>;

const input = JSON.parse(process.env.BENCH_COST_CHILD ?? '{}') as CostChildInput;
const claims = { 'cognito:username': 'bench-api', 'custom:tenant': input.tenant, 'cognito:groups': 'api-callers' };
const statusCounts: Record<string, Record<string, number>> = {};

function load(name: MeasuredFunction): Handler {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require(`../lambdas/handlers/${name}`) as { handler: Handler }).handler;
}

function note(fn: string, answer: unknown): void {
  const { statusCode, body } = (answer ?? {}) as { statusCode?: number; body?: string };
  // A WebSocket route answers an Error message with status 200 too: its body tells.
  const code = `${statusCode ?? 'ok'}${fn.startsWith('wsAck') && body ? ' Error' : ''}`;
  const counts = (statusCounts[fn] ??= {});
  counts[code] = (counts[code] ?? 0) + 1;
}

function ackEvent(popId: string, status: 'Delivered' | 'Opened', index: number) {
  const { connectionId, username, instance } = input.connection;
  return {
    body: JSON.stringify({ Action: 'Ack', PopId: popId, Status: status }),
    isBase64Encoded: false,
    requestContext: {
      routeKey: 'Ack',
      eventType: 'MESSAGE',
      messageDirection: 'IN',
      messageId: `m-${index}`,
      extendedRequestId: `x-${index}`,
      requestId: `r-${index}`,
      requestTime: new Date().toUTCString(),
      requestTimeEpoch: Date.now(),
      stage: 'v1',
      domainName: 'bench.execute-api.us-east-1.amazonaws.com',
      apiId: 'bench',
      connectedAt: Date.now() - 60_000,
      connectionId,
      authorizer: { principalId: username, tenant: input.tenant, username, instance },
      identity: { sourceIp: '127.0.0.1' },
    },
  };
}

function restEvent(index: number, overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  const base = popEvent('', claims, index);
  return { ...base, ...overrides, requestContext: { ...base.requestContext, ...overrides.requestContext } };
}

const statusEvent = (popId: string, index: number) =>
  restEvent(index, {
    resource: '/pops/{PopId}',
    path: `/pops/${popId}`,
    httpMethod: 'GET',
    body: null,
    pathParameters: { PopId: popId },
  });

const authEvent = (index: number) => {
  const basic = Buffer.from(`${input.apiUser.username}:${input.apiUser.password}`).toString('base64');
  const e = restEvent(index, { resource: '/auth', path: '/auth', httpMethod: 'GET', body: null });
  return {
    ...e,
    headers: { Authorization: `Basic ${basic}` },
    multiValueHeaders: { Authorization: [`Basic ${basic}`] },
    requestContext: { ...e.requestContext, authorizer: null },
  } as unknown as APIGatewayProxyEvent;
};

type Image = Record<string, AttributeValue>;

function streamEvent(keysOf: Image, oldImage: Image | undefined, newImage: Image, index: number): DynamoDBStreamEvent {
  return {
    Records: [
      {
        eventID: `e-${index}`,
        eventName: oldImage ? 'MODIFY' : 'INSERT',
        eventVersion: '1.1',
        eventSource: 'aws:dynamodb',
        awsRegion: input.region,
        eventSourceARN: `arn:aws:dynamodb:${input.region}:123456789012:table/${input.tableName}/stream/bench`,
        dynamodb: {
          Keys: keysOf as never,
          ...(oldImage ? { OldImage: oldImage as never } : {}),
          NewImage: newImage as never,
          SequenceNumber: String(index).padStart(21, '0'),
          SizeBytes: 400,
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      },
    ],
  };
}

/** The bare calls of one pop, from the waves the parent counted of the pop function: same commands, no handler. */
function bareCalls(waves: CallWaves) {
  const settings = {
    region: input.region,
    dynamoDbEndpoint: process.env.DYNAMODB_ENDPOINT,
    connectionsEndpoint: process.env.CONNECTIONS_ENDPOINT ?? '',
  };
  const db = createDocumentClient(settings);
  const management = createConnectionsClient(settings);
  const { tenant, agent, campaign } = input;
  const { partitionKey: pk, sortKey: sk, ttlAttribute: ttl } = TABLE_KEYS;
  return async (index: number) => {
    const popId = `bare-${index}-${Math.random().toString(36).slice(2)}`;
    const reference = `BARE-${popId}`;
    const now = Date.now();
    const calls: Record<string, (() => Promise<unknown>)[]> = {
      // The caller's revocation (lambdas/auth/revocations.ts): a disabled user's older token is refused on POST /pop.
      GetItem: [
        () => db.send(new GetCommand({ TableName: input.tableName, Key: revocationKey(claims['cognito:username']) })),
      ],
      Query: [
        () =>
          db.send(
            new QueryCommand({
              TableName: input.tableName,
              KeyConditionExpression: '#pk = :pk',
              ExpressionAttributeNames: { '#pk': pk },
              ExpressionAttributeValues: { ':pk': keys.agent(tenant, agent) },
              ConsistentRead: true,
            }),
          ),
        () =>
          db.send(
            new QueryCommand({
              TableName: input.tableName,
              KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
              ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
              ExpressionAttributeValues: {
                ':pk': keys.catalogue(tenant),
                ':prefix': keys.catalogueCampaignPrefix(campaign),
              },
              ConsistentRead: true,
            }),
          ),
      ],
      PutItem: [
        () =>
          db.send(
            new PutCommand({
              TableName: input.tableName,
              Item: {
                ...keys.claim(tenant, campaign, reference),
                Type: 'Claim',
                Username: agent,
                PopId: popId,
                ClaimedAt: now,
                ClaimedUntil: now + input.claimWindowSeconds * 1000,
                [ttl]: epochSeconds(now + input.claimWindowSeconds * 1000) + 1,
              },
              ConditionExpression: 'attribute_not_exists(#pk) OR #until < :now',
              ExpressionAttributeNames: { '#pk': pk, '#until': 'ClaimedUntil' },
              ExpressionAttributeValues: { ':now': now },
            }),
          ),
        () =>
          db.send(
            new PutCommand({
              TableName: input.tableName,
              Item: {
                ...keys.pop(tenant, popId),
                Type: 'Pop',
                Tenant: tenant,
                PopId: popId,
                Username: agent,
                Campaign: campaign,
                Reference: reference,
                Status: 'Sent',
                CreatedAt: new Date(now).toISOString(),
                UpdatedAt: new Date(now).toISOString(),
                SentTo: [input.connection.connectionId],
                SentToInstances: [instanceKey(input.connection)],
                [ttl]: epochSeconds(now + input.popRetentionDays * 86_400_000),
              },
            }),
          ),
      ],
      PostToConnection: [
        () =>
          management.send(
            new PostToConnectionCommand({
              ConnectionId: input.connection.connectionId,
              Data: JSON.stringify({ Type: 'Pop', PopId: popId, Username: agent, Campaign: campaign }),
            }),
            { abortSignal: AbortSignal.timeout(3000) },
          ),
      ],
    };
    const used: Record<string, number> = {};
    for (const wave of waves) {
      await Promise.all(
        wave.map((op) => {
          const call = calls[op]?.[used[op] ?? 0];
          if (!call) throw new Error(`no bare form of call ${op} #${(used[op] ?? 0) + 1} (bench/costCpuChild.ts)`);
          used[op] = (used[op] ?? 0) + 1;
          return call();
        }),
      );
    }
  };
}

function ask(message: ChildMessage): Promise<ParentMessage> {
  return new Promise((resolve) => {
    process.once('message', (answer) => resolve(answer as ParentMessage));
    process.send!(message);
  });
}

async function main(): Promise<void> {
  const handlers = Object.fromEntries(MEASURED_FUNCTIONS.map((name) => [name, load(name)])) as Record<
    MeasuredFunction,
    Handler
  >;
  const direct = new DynamoDBClient({ region: input.region, endpoint: input.directDynamoDbEndpoint });
  const imageOf = async (popId: string): Promise<Image> =>
    (await direct.send(new GetItemCommand({ TableName: input.tableName, Key: keyOf(popId), ConsistentRead: true })))
      .Item!;
  const keyOf = (popId: string): Image => {
    const k = keys.pop(input.tenant, popId);
    return { PK: { S: k.PK }, SK: { S: k.SK } };
  };
  let index = 0;
  type Bare = (i: number) => Promise<void>;

  /** One round: every function `n` times, in the order of a pop's life; CPU per invocation of each phase. */
  const round = async (
    n: number,
    counting: boolean,
    bare?: { readonly calls: Bare; readonly first: boolean },
  ): Promise<Record<string, number>> => {
    const cpu: Record<string, number> = {};
    const phase = async (name: string, count: number, invoke: (i: number) => Promise<unknown>) => {
      let used = 0;
      for (let i = 0; i < count; i++) {
        if (counting) await ask({ type: 'invoking', fn: name });
        const before = process.cpuUsage();
        const answer = await invoke(index++);
        const delta = process.cpuUsage(before);
        used += (delta.user + delta.system) / 1000;
        note(name, answer);
      }
      cpu[name] = used / count;
    };
    const popIds: string[] = [];
    const pops = () =>
      phase('pop', n, async (i) => {
        const body = JSON.stringify({
          Username: input.agent,
          Campaign: input.campaign,
          Reference: `REF-cost-${i}-${process.pid}`,
          ScriptData: { 'Contact Name': 'Ada Lovelace', var_ContactReason: 'Renewal' },
        });
        const answer = (await handlers.pop(popEvent(body, claims, i), context(i))) as { body: string };
        popIds.push((JSON.parse(answer.body) as { Result: { PopId: string } }).Result.PopId);
        return answer;
      });
    if (bare?.first) await phase(BARE_POP, n, bare.calls);
    await pops();
    if (bare && !bare.first) await phase(BARE_POP, n, bare.calls);
    const sent = await Promise.all(popIds.map(imageOf));
    let k = 0;
    await phase('wsAck', n, (i) => handlers.wsAck(ackEvent(popIds[k++]!, 'Delivered', i), context(i)));
    const delivered = await Promise.all(popIds.map(imageOf));
    k = 0;
    const opened: Image[] = [];
    await phase('wsAckOpened', n, (i) => handlers.wsAck(ackEvent(popIds[k++]!, 'Opened', i), context(i)));
    opened.push(...(await Promise.all(popIds.map(imageOf))));
    k = 0;
    await phase('popStatus', n, (i) => handlers.popStatus(statusEvent(popIds[k++]!, i), context(i)));
    const changes = popIds.flatMap((popId, j) => [
      [keyOf(popId), undefined, sent[j]!],
      [keyOf(popId), sent[j]!, delivered[j]!],
      [keyOf(popId), delivered[j]!, opened[j]!],
    ]) as [Image, Image | undefined, Image][];
    k = 0;
    await phase('popStream', changes.length, (i) => {
      const [key, oldImage, newImage] = changes[k++]!;
      return handlers.popStream(streamEvent(key, oldImage, newImage, i), context(i));
    });
    await phase('authToken', n, (i) => handlers.authToken(authEvent(i), context(i)));
    return cpu;
  };

  const warmup = Math.max(5, Math.floor(input.invocationsPerPhase / 2));
  await round(warmup, false); // warm-up: JIT, connections
  await round(input.countedInvocations, true);
  const counted = await ask({ type: 'counted' });
  if (counted.type !== 'popWaves') throw new Error('the parent sent no pop waves');
  const calls = bareCalls(counted.waves);
  await round(warmup, false, { calls, first: false }); // warm the bare path too
  const rounds: Record<string, number>[] = [];
  const started = performance.now();
  for (let r = 0; r < input.rounds; r++)
    rounds.push(await round(input.invocationsPerPhase, false, { calls, first: r % 2 === 1 }));
  process.stderr.write(
    `cost child: ${input.rounds} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
  );
  const result: CostChildResult = {
    rounds,
    invocationsPerPhase: input.invocationsPerPhase,
    bareWaves: counted.waves,
    statusCounts,
  };
  process.send!({ type: 'result', result } satisfies ChildMessage);
}

if (require.main === module) {
  main().then(
    () => setTimeout(() => process.exit(0), 100),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
