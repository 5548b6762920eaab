/**
 * What the property-based handler tests share: a real DynamoDB emulator (dynalite) with the project's table, the
 * handlers built from their factories with this environment's configuration (lambdas/handlerFactories.ts), a stand-in `@connections` endpoint that
 * accepts every push, a stand-in Cognito that refuses every call at once (only the parsing paths are fuzzed; a call that
 * gets through answers 502; the e2e fault tests stop the real emulator), a count of the writes that reached the table
 * and a snapshot of it, to prove that a refused request wrote nothing, and the event and body generators.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import fc from 'fast-check';
import type { HandlerName } from '../../../lambdas/apiRoutes';
import type { AwsClients } from '../../../lambdas/clients/awsClients';
import { createCognitoClient } from '../../../lambdas/clients/cognitoClient';
import { createConnectionsClient } from '../../../lambdas/clients/connectionsClient';
import { createDocumentClient } from '../../../lambdas/clients/documentClient';
import { HANDLER_FACTORIES, type AnyHandler } from '../../../lambdas/handlerFactories';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { baseLogger } from '../../../lambdas/shared/logger';
import { noMetrics } from '../../../lambdas/shared/metrics';
import type { Settings } from '../../../lambdas/shared/settings';
import { CONNECTION_LIFETIME_MS, epochSeconds } from '../../../lambdas/store/tableSchema';
import { startTestTable, type TestTable } from '../support/dynamoTable';

export interface FuzzEnvironment {
  readonly table: TestTable;
  /** Every message the stand-in `@connections` endpoint accepted, as posted. */
  readonly pushed: string[];
  /** The clients the handlers use (tests count or break the table calls on `db`). */
  readonly clients: AwsClients;
  /** A handler built from its factory with this environment's settings and clients. */
  handler<T = AnyHandler>(name: HandlerName): T;
  stop(): Promise<void>;
}

/** One connection of `tenant` holds `agent`'s Desktop, written by the store itself, so well-formed pops reach it. */
export async function seedPresence(
  table: TestTable,
  tenant: string,
  agent: string,
  connectionId: string,
): Promise<void> {
  const connectedAt = Date.now();
  await new ConnectionStore(table.db, table.tableName).addPresence(
    {
      connectionId,
      tenant,
      username: 'inst',
      instance: 'desk',
      connectedAt,
      expiresAt: epochSeconds(connectedAt + CONNECTION_LIFETIME_MS),
    },
    agent,
  );
}

async function listenLocal(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * Count the write commands that succeeded on a handler's own DynamoDB client (a conditional write that failed wrote
 * nothing and is not counted). `take()` returns and clears what was counted since the last call.
 */
export function countWrites(client: { middlewareStack: { add: (...args: any[]) => void } }): { take(): string[] } {
  let writes: string[] = [];
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      const result = await next(args);
      if (/^(Put|Update|Delete|BatchWrite|TransactWrite)/.test(context.commandName ?? ''))
        writes.push(context.commandName!);
      return result;
    },
    { step: 'initialize', name: 'fuzzWriteCounter' },
  );
  return {
    take: () => {
      const taken = writes;
      writes = [];
      return taken;
    },
  };
}

/** Start dynalite and the stand-ins; the handlers get their settings as a configuration object, as in a local stack. */
export async function startFuzzEnvironment(): Promise<FuzzEnvironment> {
  const table = await startTestTable('remote-pop-fuzz');
  const endpoint = await table.raw.config.endpoint!();
  const pushed: string[] = [];
  const connections: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // A GetConnection (the dry run's and the catalogue's probe) is not a message.
      if (req.method === 'POST') pushed.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'Content-Type': 'application/json' }).end();
    });
  });
  // Cognito refusing every call at once with an error the issuer does not expect (not retried: fast).
  const cognito: Server = createServer((req, res) => {
    req.resume();
    const body = JSON.stringify({
      __type: 'InternalErrorException',
      message: 'stand-in: the identity provider failed',
    });
    req.on('end', () =>
      res
        .writeHead(400, { 'Content-Type': 'application/x-amz-json-1.1', 'x-amzn-ErrorType': 'InternalErrorException' })
        .end(body),
    );
  });
  const connectionsPort = await listenLocal(connections);
  const cognitoPort = await listenLocal(cognito);
  const settings: Settings = {
    region: 'us-east-1',
    tableName: table.tableName,
    dynamoDbEndpoint: `http://${endpoint.hostname}:${endpoint.port}`,
    connectionsEndpoint: `http://127.0.0.1:${connectionsPort}/v1`,
    userPoolId: 'us-east-1_fuzz',
    userPoolClientId: 'fuzzclient',
    cognitoEndpoint: `http://127.0.0.1:${cognitoPort}`,
    claimWindowSeconds: 60,
    popRetentionDays: 3,
  };
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const clients: AwsClients = {
    db: createDocumentClient(settings, credentials),
    management: createConnectionsClient(settings, credentials),
    cognito: createCognitoClient(settings, credentials),
  };
  baseLogger.setLogLevel('SILENT');
  return {
    table,
    pushed,
    clients,
    handler: <T>(name: HandlerName) => HANDLER_FACTORIES[name]({ settings, clients, metrics: noMetrics }) as T,
    stop: async () => {
      clients.db.destroy();
      clients.management.destroy();
      clients.cognito.destroy();
      for (const server of [connections, cognito]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await table.stop();
    },
  };
}

/** Every item, as sorted JSON lines: equal snapshots mean nothing was written, updated or deleted. */
export async function snapshot(table: TestTable): Promise<string[]> {
  const items: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.db.send(
      new ScanCommand({ TableName: table.tableName, ExclusiveStartKey: startKey, ConsistentRead: true }),
    );
    for (const item of page.Items ?? []) items.push(JSON.stringify(item, Object.keys(item).sort()));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items.sort();
}

export const lambdaContext = (): Context =>
  ({
    awsRequestId: 'fuzz-request',
    functionName: 'fuzz',
    getRemainingTimeInMillis: () => 29_000,
  }) as unknown as Context;

/** The REST envelope every answer must use, success or failure (contract/rest.ts). */
export function expectEnvelope(result: APIGatewayProxyResult): { Success: boolean; Error?: { Code: string } } {
  if (typeof result?.statusCode !== 'number' || typeof result.body !== 'string') {
    throw new Error(`Not a proxy result: ${JSON.stringify(result)?.slice(0, 200)}`);
  }
  const contentType = Object.entries(result.headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  if (!String(contentType).startsWith('application/json')) throw new Error(`Content-Type ${String(contentType)}`);
  const body = JSON.parse(result.body);
  const ok =
    typeof body === 'object' &&
    body !== null &&
    typeof body.Success === 'boolean' &&
    typeof body.Version === 'string' &&
    typeof body.RequestId === 'string' &&
    (body.Success
      ? result.statusCode >= 200 && result.statusCode < 300 && body.Error === undefined
      : body.Result === null &&
        typeof body.Error?.Code === 'string' &&
        typeof body.Error?.Message === 'string' &&
        result.statusCode >= 400);
  if (!ok) throw new Error(`Not the envelope (${result.statusCode}): ${result.body.slice(0, 300)}`);
  return body;
}

// ---------- generators ----------

/** Any text: lone surrogates included (JSON's \ud800 escape makes them reachable over HTTP). */
export const anyText = (maxLength = 40) => fc.string({ unit: 'binary', maxLength });
const hugeText = fc.integer({ min: 20_000, max: 40_000 }).map((n) => 'x'.repeat(n));
const controlText = fc.constantFrom('\u0000', 'a\nb', '\u007f', 'tab\there', '\r\n');

/** A value of any JSON type (and some that only JSON text can express), for a field that expects a string. */
export const anyJsonValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 2, arbitrary: anyText() },
  fc.constant(''),
  controlText,
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  { weight: 1, arbitrary: hugeText },
);

/** Keys an attacker tries: prototype pollution, look-alikes, empty, odd Unicode. */
export const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    '',
    ' ',
    'username',
    'USERNAME',
    'Username ',
  ),
  anyText(12),
);

/** `[[[...]]]` or `{"a":{"a":...}}` nested up to `max` levels. */
export const deepNesting = (max: number) =>
  fc
    .tuple(fc.integer({ min: 1, max }), fc.boolean())
    .map(([depth, arrays]) =>
      arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
    );

/** A JSON object literal written by hand, so it can repeat a key (JSON.parse keeps the last). */
export const withDuplicateKeys = (entries: fc.Arbitrary<[string, unknown][]>) =>
  entries.map(
    (pairs) =>
      `{${pairs.map(([key, value]) => `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`).join(',')}}`,
  );

/** Bytes that are not UTF-8, sent as API Gateway sends binary bodies (base64, isBase64Encoded). */
export const invalidUtf8 = fc
  .oneof(
    fc.constantFrom(
      [0xff],
      [0xc3, 0x28],
      [0xe2, 0x28, 0xa1],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0x7b, 0x22, 0xc0, 0xaf, 0x22, 0x7d],
    ),
    fc.uint8Array({ minLength: 1, maxLength: 64 }).map((bytes) => [...bytes, 0xff]),
  )
  .map((bytes) => Buffer.from(bytes).toString('base64'));

export interface GeneratedBody {
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

/** Bodies of every sort around a valid object: `valid` is a generator of (maybe valid) objects for this endpoint. */
export function bodies(valid: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<GeneratedBody> {
  const text = (arbitrary: fc.Arbitrary<string | null>) => arbitrary.map((body) => ({ body, isBase64Encoded: false }));
  return fc.oneof(
    { weight: 6, arbitrary: text(valid.map((value) => JSON.stringify(value))) },
    {
      weight: 1,
      arbitrary: valid.map((value) => ({
        body: Buffer.from(JSON.stringify(value)).toString('base64'),
        isBase64Encoded: true,
      })),
    },
    { weight: 2, arbitrary: text(fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value))) },
    {
      weight: 1,
      arbitrary: text(
        fc.constantFrom(
          null,
          '',
          ' ',
          '\n',
          'null',
          '[]',
          '{}',
          '"text"',
          '0',
          'true',
          '{',
          '{"a":',
          '\u0000',
          '\ufeff{}',
        ),
      ),
    },
    { weight: 1, arbitrary: text(anyText(200)) },
    { weight: 1, arbitrary: text(deepNesting(5_000)) },
    { weight: 2, arbitrary: text(withDuplicateKeys(fc.array(fc.tuple(hostileKey, anyJsonValue), { maxLength: 6 }))) },
    {
      weight: 2,
      arbitrary: text(
        fc
          .tuple(valid, fc.constantFrom('__proto__', 'constructor', 'prototype'), fc.jsonValue({ maxDepth: 2 }))
          .map(
            ([value, key, injected]) =>
              `${JSON.stringify(value).slice(0, -1)}${Object.keys(value).length ? ',' : ''}"${key}":${JSON.stringify(injected)}}`,
          ),
      ),
    },
    { weight: 1, arbitrary: invalidUtf8.map((body) => ({ body, isBase64Encoded: true })) },
    { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map((body) => ({ body, isBase64Encoded: true })) },
    {
      weight: 1,
      arbitrary: text(
        fc
          .integer({ min: 31 * 1024 - 50, max: 40_000 })
          .map((n) => JSON.stringify({ Username: 'a', Campaign: 'b', ScriptData: { k: 'x'.repeat(n) } })),
      ),
    },
  );
}

/** Headers an odd client sends: content types, casing, duplicates folded by a proxy, garbage. */
export const oddHeaders = fc.dictionary(
  fc.constantFrom(
    'Content-Type',
    'content-type',
    'CONTENT-TYPE',
    'Accept',
    'X-Forwarded-For',
    'Transfer-Encoding',
    'X-Odd',
  ),
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=latin1',
      '',
    ),
    anyText(30),
  ),
  { maxKeys: 3 },
);

/** A REST proxy event as API Gateway builds it, with the parts a test varies. */
export function restEvent(parts: {
  method: string;
  resource: string;
  path?: string;
  headers?: Record<string, string> | null;
  body?: string | null;
  isBase64Encoded?: boolean;
  pathParameters?: Record<string, string> | null;
  claims?: Record<string, string> | null;
}): APIGatewayProxyEvent {
  return {
    resource: parts.resource,
    path: parts.path ?? parts.resource,
    httpMethod: parts.method,
    headers: parts.headers as APIGatewayProxyEvent['headers'],
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: parts.pathParameters ?? null,
    stageVariables: null,
    body: parts.body ?? null,
    isBase64Encoded: parts.isBase64Encoded ?? false,
    requestContext: {
      requestId: `req-${Math.random().toString(36).slice(2)}`,
      authorizer: parts.claims === undefined || parts.claims === null ? null : { claims: parts.claims },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}
