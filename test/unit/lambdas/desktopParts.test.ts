/**
 * A Desktop list too long for one WebSocket frame comes in parts (contract/webSocket.ts), which
 * API Gateway may deliver in any order, twice, or after a newer list. The wsDesktop handler in process against
 * dynalite (test/unit/fuzz/harness.ts) assembles them: applied once, whole, never older over newer, one cap.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { MAX_DESKTOP_AGENTS, MAX_WEBSOCKET_MESSAGE_BYTES } from '../../../contract/limits';
import type { DesktopMessage } from '../../../contract/webSocket';
import type { WebSocketEvent } from '../../../lambdas/edge/webSocket';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { keys } from '../../../lambdas/store/tableSchema';
import { desktopMessages } from '../../../instance/connector';
import { lambdaContext, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { instanceEvent, type WsHandler } from '../support/tenantSetup';

jest.setTimeout(120_000);

let env: FuzzEnvironment;
let store: ConnectionStore;
beforeAll(async () => {
  env = await startFuzzEnvironment();
  store = new ConnectionStore(env.table.db, env.table.tableName);
});
afterAll(async () => env?.stop());

const TENANT = 'parts-tenant';
let connections = 0;
const event = (connectionId: string, routeKey: string, body: string | undefined): WebSocketEvent =>
  instanceEvent({ tenant: TENANT, connectionId }, routeKey, body);

async function connect(): Promise<string> {
  const connectionId = `Parts+Conn/${++connections}=`;
  await env.handler<WsHandler>('wsConnect')(event(connectionId, '$connect', undefined), lambdaContext());
  return connectionId;
}

/** Sends one message to its route; the parsed answer, or undefined when there is none. */
async function send(
  connectionId: string,
  message: object | string,
): Promise<{ Type: string; Code: string; Message: string } | undefined> {
  const body = typeof message === 'string' ? message : JSON.stringify(message);
  const route = typeof message === 'string' ? 'Desktop' : (message as { Action: string }).Action;
  const answer = await env.handler<WsHandler>(`ws${route}` as never)(event(connectionId, route, body), lambdaContext());
  return answer.body === undefined ? undefined : JSON.parse(answer.body);
}

const agents = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
const sorted = (names: readonly string[]) => [...names].sort();
const parts = (list: readonly string[], sequence: number, size: number): DesktopMessage[] => {
  const count = Math.ceil(list.length / size);
  return Array.from({ length: count }, (_, i) => ({
    Action: 'Desktop',
    Agents: list.slice(i * size, (i + 1) * size),
    Sequence: sequence,
    Part: i + 1,
    Parts: count,
  }));
};

/** What the connection's partition holds besides its item and its held agents: parts waiting to be applied. */
async function waitingParts(connectionId: string): Promise<number> {
  const { Items } = await env.table.db.send(
    new QueryCommand({
      TableName: env.table.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :p)',
      ExpressionAttributeValues: { ':pk': keys.connection(connectionId).PK, ':p': 'DESKTOP#' },
      ConsistentRead: true,
    }),
  );
  return Items?.length ?? 0;
}

describe('a Desktop list in parts', () => {
  it('is applied once its last part arrives, whatever the order, and its parts are then removed', async () => {
    const connectionId = await connect();
    const list = agents('ooo', 30);
    const [one, two, three] = parts(list, 7, 10);
    expect(await send(connectionId, three)).toBeUndefined();
    expect(await send(connectionId, one)).toBeUndefined();
    expect(await store.agentsOf(connectionId)).toEqual([]);
    expect(await send(connectionId, two)).toBeUndefined();
    expect(sorted(await store.agentsOf(connectionId))).toEqual(sorted(list));
    expect(await store.connectionsForAgent(TENANT, 'ooo-29')).toHaveLength(1);
    expect(await waitingParts(connectionId)).toBe(0);
  });

  it('takes a part sent twice once, and ignores a part of a list already applied', async () => {
    const connectionId = await connect();
    const list = agents('dup', 20);
    const [one, two] = parts(list, 1, 10);
    await send(connectionId, one);
    await send(connectionId, one);
    await send(connectionId, two);
    expect(await send(connectionId, two)).toBeUndefined();
    expect(sorted(await store.agentsOf(connectionId))).toEqual(sorted(list));
    expect(await waitingParts(connectionId)).toBe(0);
  });

  it('never applies an older list after a newer one, in any order of arrival (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.infiniteStream(fc.nat()),
        async (oldParts, newParts, picks) => {
          const connectionId = await connect();
          const older = parts(agents(`old${connections}`, oldParts * 3), 5, 3);
          const newer = parts(agents(`new${connections}`, newParts * 3), 9, 3);
          // Both lists' parts, one of them twice, shuffled by the generated picks.
          const pending = [...older, ...newer, older[0]];
          const order: DesktopMessage[] = [];
          const pick = picks[Symbol.iterator]();
          while (pending.length > 0) order.push(pending.splice(pick.next().value % pending.length, 1)[0]);
          for (const message of order) expect(await send(connectionId, message)).toBeUndefined();
          expect(sorted(await store.agentsOf(connectionId))).toEqual(sorted(newer.flatMap((m) => m.Agents)));
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses parts that do not agree, and a Part past Parts, with an Error that writes no presence', async () => {
    const connectionId = await connect();
    expect(await send(connectionId, { Action: 'Desktop', Agents: ['a'], Sequence: 1, Part: 1 })).toMatchObject({
      Type: 'Error',
      Code: 'InvalidMessage',
      Message: expect.stringMatching(/go together/),
    });
    expect(
      await send(connectionId, { Action: 'Desktop', Agents: ['a'], Sequence: 1, Part: 3, Parts: 2 }),
    ).toMatchObject({ Code: 'InvalidMessage' });
    expect(
      await send(connectionId, { Action: 'Desktop', Agents: ['a'], Sequence: 1, Part: 1, Parts: 2 }),
    ).toBeUndefined();
    expect(
      await send(connectionId, { Action: 'Desktop', Agents: ['b'], Sequence: 1, Part: 2, Parts: 3 }),
    ).toMatchObject({ Code: 'InvalidMessage', Message: expect.stringMatching(/differs/) });
    expect(
      await send(connectionId, { Action: 'Desktop', Agents: ['a'], Sequence: 1, Part: 101, Parts: 101 }),
    ).toMatchObject({ Code: 'InvalidMessage' });
    expect(await store.agentsOf(connectionId)).toEqual([]);
  });

  it("refuses a message over 128 KB, API Gateway's message limit, even when its schema would pass it", async () => {
    const connectionId = await connect();
    const big = JSON.stringify({ Action: 'Desktop', Agents: ['a'] }).replace(
      '{',
      `{${' '.repeat(MAX_WEBSOCKET_MESSAGE_BYTES)}`,
    );
    expect(await send(connectionId, big)).toMatchObject({
      Type: 'Error',
      Code: 'InvalidMessage',
      Message: expect.stringMatching(/131072 bytes/),
    });
    expect(await store.agentsOf(connectionId)).toEqual([]);
  });

  it('holds one cap for the whole list: more than MAX_DESKTOP_AGENTS across parts is refused and writes no presence', async () => {
    const connectionId = await connect();
    const list = parts(agents('over', MAX_DESKTOP_AGENTS + 1), 1, 2000);
    const answers = [];
    for (const message of list) answers.push(await send(connectionId, message));
    expect(answers.slice(0, -1)).toEqual([undefined, undefined]);
    expect(answers.at(-1)).toMatchObject({ Code: 'InvalidMessage', Message: expect.stringMatching(/at most 5000/) });
    expect(await store.agentsOf(connectionId)).toEqual([]);
    expect(await waitingParts(connectionId)).toBe(0);
  });

  it('holds 5,000 agents of 128 four-byte characters (2.6 MB of names), as the reference instance packs them, and counts them for Login', async () => {
    const connectionId = await connect();
    const long = Array.from(
      { length: MAX_DESKTOP_AGENTS },
      (_, i) => `${String(i).padStart(4, '0')}${'𝔸'.repeat(124)}`,
    );
    const messages = desktopMessages(long, 3);
    expect(messages.length).toBeGreaterThan(1);
    for (const message of messages) expect(await send(connectionId, message)).toBeUndefined();
    expect(await store.agentsOf(connectionId)).toHaveLength(MAX_DESKTOP_AGENTS);
    expect(await store.connectionsForAgent(TENANT, long[4999])).toHaveLength(1);
    expect(await send(connectionId, { Action: 'Login', Username: 'one-too-many' })).toMatchObject({
      Code: 'InvalidMessage',
    });
    expect(await send(connectionId, { Action: 'Logout', Username: long[0] })).toBeUndefined();
    expect(await send(connectionId, { Action: 'Login', Username: 'newcomer' })).toBeUndefined();
    // Presence and a held-agent item per agent, the connection item and the record that list 3 was applied.
    expect(await store.removeConnection(connectionId)).toBe(2 * MAX_DESKTOP_AGENTS + 2);
    expect(await store.connectionsForAgent(TENANT, long[4999])).toEqual([]);
  });
});
