/**
 * Property-based bad input against the WebSocket route handlers, in process, with generated message events: every
 * Action against every route (API Gateway routes on Action, but a handler must not trust that), wrong field types,
 * huge and deeply nested bodies, hostile keys, binary frames, events without an authorized connection.
 * Properties: no exception escapes; the answer is nothing, a Pong (Ping only) or a {Type:'Error'} message, never an
 * InternalError; a refused message writes nothing to the table.
 */
import type { Context } from 'aws-lambda';
import fc from 'fast-check';
import { PopStore } from '../../../lambdas/pops/popStore';
import type { WebSocketEvent, WebSocketResult } from '../../../lambdas/edge/webSocket';
import {
  anyJsonValue,
  anyText,
  countWrites,
  deepNesting,
  hostileKey,
  invalidUtf8,
  lambdaContext,
  snapshot,
  startFuzzEnvironment,
  withDuplicateKeys,
  type FuzzEnvironment,
} from './harness';

jest.setTimeout(120_000);

type WsHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;
const ROUTES = {
  Desktop: 'wsDesktop',
  Login: 'wsLogin',
  Logout: 'wsLogout',
  Ack: 'wsAck',
  Ping: 'wsPing',
  $default: 'wsDefault',
} as const;
type Route = keyof typeof ROUTES;

let env: FuzzEnvironment;
let handlers: Record<Route, WsHandler>;
let writes: { take(): string[] };
const SNAPSHOT_EVERY = 10;
let cases = 0;

const TENANT = 'fuzz-tenant';
const CONNECTION = 'Ws+Fuzz/1=';
/** Pops sent to the fuzzed connection, so generated Acks can reach the update path. */
const POP_IDS = Array.from({ length: 40 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
const OTHER_TENANT_POP = '11111111-0000-4000-8000-000000000000';

beforeAll(async () => {
  env = await startFuzzEnvironment();
  handlers = Object.fromEntries(
    Object.entries(ROUTES).map(([route, name]) => [route, env.handler<WsHandler>(name)]),
  ) as Record<Route, WsHandler>;
  writes = countWrites(env.clients.db);
  const store = new PopStore(env.table.db, env.table.tableName);
  const at = new Date().toISOString();
  const seed = (tenant: string, popId: string) =>
    store.putPop(
      {
        tenant,
        PopId: popId,
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: `R-${popId}`,
        Status: 'Sent',
        CreatedAt: at,
        UpdatedAt: at,
        sentTo: [CONNECTION],
      },
      3_600_000,
    );
  await Promise.all([...POP_IDS.map((id) => seed(TENANT, id)), seed('other-tenant', OTHER_TENANT_POP)]);
});
afterAll(async () => env?.stop());

const answers: Record<string, number> = {};
afterAll(() => console.log(`fuzz ws: ${JSON.stringify(answers)}`));

const authorizerArb = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constant<Record<string, unknown> | undefined>({
      tenant: TENANT,
      username: 'inst',
      instance: 'desk',
      principalId: 'inst',
    }),
  },
  fc.constant(undefined),
  fc.constant({}),
  fc.constant({ tenant: 7, username: 'inst' }),
  fc.constant({ tenant: TENANT }),
  fc.constant({ tenant: 'other-tenant', username: 'inst-b', instance: 'desk' }),
);

const agentName = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('agent1', 'agent2', 'jsmith', 'Ann Lee') },
  fc.string({ maxLength: 20 }),
  anyText(10),
  anyJsonValue,
);
const field = <T>(valid: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: valid as fc.Arbitrary<unknown> }, anyJsonValue, anyText(10));
const message = fc.oneof(
  fc.record(
    {
      Action: field(fc.constant('Desktop')),
      Agents: fc.oneof(
        { weight: 4, arbitrary: fc.array(agentName, { maxLength: 12 }) },
        anyJsonValue,
        fc.constant(Array(2001).fill('a')),
      ),
    },
    { requiredKeys: [] },
  ),
  fc.record({ Action: field(fc.constantFrom('Login', 'Logout')), Username: agentName }, { requiredKeys: [] }),
  fc.record(
    {
      Action: field(fc.constant('Ack')),
      PopId: field(fc.constantFrom(...POP_IDS, OTHER_TENANT_POP, 'forged-pop-id', '')),
      Status: field(fc.constantFrom('Delivered', 'Opened', 'Unchanged', 'Failed', 'Sent', 'opened')),
      Reason: field(fc.constantFrom('NoLicence', 'UnknownCampaign', 'x'.repeat(65), 'Bad reason')),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    { Action: field(fc.constantFrom('Ping', '$connect', '$disconnect', 'Unknown', 'ping')) },
    { requiredKeys: [] },
  ),
);
const withHostileKey = fc.tuple(message, hostileKey, anyJsonValue).map(([m, key, value]) => {
  const text = JSON.stringify(m);
  return `${text.slice(0, -1)}${Object.keys(m).length ? ',' : ''}${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}}`;
});
const bodyArb: fc.Arbitrary<{ body: string | undefined; isBase64Encoded: boolean }> = fc.oneof(
  { weight: 8, arbitrary: message.map((m) => ({ body: JSON.stringify(m), isBase64Encoded: false })) },
  { weight: 2, arbitrary: withHostileKey.map((body) => ({ body, isBase64Encoded: false })) },
  {
    weight: 1,
    arbitrary: withDuplicateKeys(
      fc.array(fc.tuple(fc.constantFrom('Action', 'Agents', 'Username', 'PopId', 'Status'), anyJsonValue), {
        maxLength: 5,
      }),
    ).map((body) => ({ body, isBase64Encoded: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom(undefined, '', ' ', 'null', '[]', '{}', '"Ping"', '{"Action":null}', 'Ping')
      .map((body) => ({ body, isBase64Encoded: false })),
  },
  { weight: 1, arbitrary: deepNesting(60_000).map((body) => ({ body, isBase64Encoded: false })) },
  { weight: 1, arbitrary: invalidUtf8.map((body) => ({ body, isBase64Encoded: true })) },
  { weight: 1, arbitrary: anyText(300).map((body) => ({ body, isBase64Encoded: false })) },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 30_000, max: 128 * 1024 })
      .map((n) => ({ body: JSON.stringify({ Action: 'Login', Username: 'x'.repeat(n) }), isBase64Encoded: false })),
  },
);

function routeOf(body: string | undefined): Route {
  try {
    const action = (JSON.parse(body ?? '') as { Action?: unknown })?.Action;
    return typeof action === 'string' && Object.prototype.hasOwnProperty.call(ROUTES, action) && !action.startsWith('$')
      ? (action as Route)
      : '$default';
  } catch {
    return '$default';
  }
}

function wsEvent(
  route: Route,
  body: string | undefined,
  isBase64Encoded: boolean,
  authorizer: Record<string, unknown> | undefined,
): WebSocketEvent {
  return {
    body,
    isBase64Encoded,
    requestContext: {
      routeKey: route,
      eventType: 'MESSAGE',
      messageId: 'm',
      connectionId: CONNECTION,
      connectedAt: Date.now(),
      requestId: 'r',
      stage: 'v1',
      ...(authorizer ? { authorizer } : {}),
    },
  } as unknown as WebSocketEvent;
}

describe('WebSocket routes with generated messages', () => {
  it('answer nothing, a Pong or an Error message, never fail, and write nothing for a refused message', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...(Object.keys(ROUTES) as Route[])),
        fc.nat(3),
        bodyArb,
        authorizerArb,
        async (anyRoute, follow, { body, isBase64Encoded }, authorizer) => {
          // Mostly the route API Gateway would pick from the Action, sometimes any route (a handler must not trust it).
          const route = follow > 0 ? routeOf(body) : anyRoute;
          const full = ++cases % SNAPSHOT_EVERY === 0;
          const before = full ? await snapshot(env.table) : undefined;
          writes.take();
          let result: WebSocketResult;
          try {
            result = await handlers[route](wsEvent(route, body, isBase64Encoded, authorizer), lambdaContext());
          } catch (error) {
            throw new Error(`${ROUTES[route]} threw: ${(error as Error)?.stack ?? String(error)}`);
          }
          const written = writes.take();
          expect(result.statusCode).toBe(200);
          if (result.body === undefined) {
            answers[`${route}:ok`] = (answers[`${route}:ok`] ?? 0) + 1;
            return;
          }
          const reply = JSON.parse(result.body);
          if (reply.Type === 'Pong') {
            expect(route).toBe('Ping');
            answers.Pong = (answers.Pong ?? 0) + 1;
            return;
          }
          expect(reply).toEqual({
            Type: 'Error',
            Code: expect.any(String),
            Message: expect.any(String),
            ...(reply.Details ? { Details: expect.any(Array) } : {}),
          });
          expect(['InternalError', 'ServiceUnavailable']).not.toContain(reply.Code);
          answers[`${route}:${reply.Code}`] = (answers[`${route}:${reply.Code}`] ?? 0) + 1;
          expect(written).toEqual([]);
          if (before) expect(await snapshot(env.table)).toEqual(before);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("leaves another tenant's pop exactly as it was, whatever Acks name it", async () => {
    const store = new PopStore(env.table.db, env.table.tableName);
    expect(await store.getPop('other-tenant', OTHER_TENANT_POP)).toMatchObject({ Status: 'Sent' });
  });
});
