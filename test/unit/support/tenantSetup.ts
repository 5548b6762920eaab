/**
 * The set-up the unit tests share that drive handlers against dynalite: an instance's WebSocket connection through the
 * functions in process (test/unit/fuzz/harness.ts) and a tenant whose held pops are delivered on a clock the test
 * moves (lambdas/pops/heldPops.ts). Each test keeps its own assertions; only how it gets there is here.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { WebSocketEvent, WebSocketResult } from '../../../lambdas/edge/webSocket';
import type { HandlerName } from '../../../lambdas/apiRoutes';
import { CatalogueStore } from '../../../lambdas/catalogue/catalogueStore';
import type { HoldDeps } from '../../../lambdas/pops/heldPops';
import { HeldPopStore } from '../../../lambdas/pops/heldPopStore';
import { PopStore } from '../../../lambdas/pops/popStore';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { requestLogger } from '../../../lambdas/shared/logger';
import { lambdaContext, type FuzzEnvironment } from '../fuzz/harness';
import type { TestTable } from './dynamoTable';

export type WsHandler = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;
export type RestHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** An instance's connection as its WebSocket authorizer leaves it (the instance's user is `inst`). */
export interface InstanceConnection {
  readonly tenant: string;
  readonly connectionId: string;
  /** Its instance name; `desk` unless given. */
  readonly instance?: string;
}

const EVENT_TYPE_OF: Readonly<Record<string, string>> = { $connect: 'CONNECT', $disconnect: 'DISCONNECT' };
const FUNCTION_OF: Readonly<Record<string, HandlerName>> = { $connect: 'wsConnect', $disconnect: 'wsDisconnect' };

/** A route's event on the connection, as API Gateway hands it to the route's function; `body` as sent. */
export function instanceEvent(connection: InstanceConnection, route: string, body?: string): WebSocketEvent {
  const instance = connection.instance ?? 'desk';
  return {
    body,
    isBase64Encoded: false,
    requestContext: {
      routeKey: route,
      eventType: EVENT_TYPE_OF[route] ?? 'MESSAGE',
      messageId: 'm',
      connectionId: connection.connectionId,
      connectedAt: Date.now(),
      requestId: 'r',
      stage: 'v1',
      authorizer: { tenant: connection.tenant, username: 'inst', instance, principalId: 'inst' },
    },
  } as unknown as WebSocketEvent;
}

/** The route's function in process; for a message route, `ws` and its Action (wsDesktop for Desktop). */
export const routeHandler = (env: FuzzEnvironment, route: string): WsHandler =>
  env.handler<WsHandler>(FUNCTION_OF[route] ?? (`ws${route}` as HandlerName));

/**
 * Sends `message` on the route (as JSON unless it is a string; nothing for $connect and $disconnect) and returns the
 * body of the answer, '' when there is none.
 */
export async function sendOnConnection(
  env: FuzzEnvironment,
  connection: InstanceConnection,
  route: string,
  message?: unknown,
): Promise<string> {
  const body = message === undefined || typeof message === 'string' ? message : JSON.stringify(message);
  const answer = await routeHandler(env, route)(instanceEvent(connection, route, body), lambdaContext());
  return String((answer as { body?: string } | undefined)?.body ?? '');
}

/** A catalogue's campaign, active and allowing records to be created. */
export const catalogueCampaign = (Name: string) => ({
  Name,
  Active: true,
  Type: 'internal',
  AllowRecordCreation: true,
  Workflow: 'W',
  ExternalLinks: [],
});

/** The connection made, these agents on its Desktop and these campaigns its catalogue (one part). */
export async function connectInstance(
  env: FuzzEnvironment,
  connection: InstanceConnection,
  on: { readonly agents: readonly string[]; readonly campaigns: readonly unknown[] },
): Promise<void> {
  await sendOnConnection(env, connection, '$connect');
  await sendOnConnection(env, connection, 'Desktop', { Action: 'Desktop', Agents: on.agents });
  const catalogue = { Action: 'Catalogue', Sequence: 1, Part: 1, Parts: 1, Campaigns: on.campaigns };
  await sendOnConnection(env, connection, 'Catalogue', catalogue);
}

/** A push as a held tenant's pusher saw it: the message it carried and the clock's time then. */
export type SeenPush = (connectionId: string, message: Record<string, unknown>, at: number) => void;

/**
 * A tenant with one instance connection (`<tenant>/c1`, no agent on it yet), a clock the test moves and what
 * delivering held pops needs against `table`. Every push is handed to `seen` and answered as sent; PopIds are
 * `<tenant>-pop-0001` on, so their order is the order they were given.
 */
export async function heldTenant(table: Pick<TestTable, 'db' | 'tableName'>, tenant: string, seen: SeenPush) {
  const { db, tableName } = table;
  const clock = { now: 1_800_000_000_000 };
  const connections = new ConnectionStore(db, tableName);
  const conn = await connections.putConnection({
    connectionId: `${tenant}/c1`,
    tenant,
    username: 'inst',
    instance: 'desk',
    connectedAt: clock.now,
  });
  let ids = 0;
  const deps: HoldDeps = {
    connections,
    catalogues: new CatalogueStore(db, tableName),
    pops: new PopStore(db, tableName),
    held: new HeldPopStore(db, tableName),
    push: async (connectionId, payload) => {
      seen(connectionId, JSON.parse(payload) as Record<string, unknown>, clock.now);
      return 'sent';
    },
    claimWindowMs: 60_000,
    retentionMs: 86_400_000,
    newPopId: () => `${tenant}-pop-${String(++ids).padStart(4, '0')}`,
    now: () => clock.now,
    log: requestLogger(undefined),
    metrics: { count: () => undefined },
  };
  return { tenant, clock, connections, conn, deps };
}
