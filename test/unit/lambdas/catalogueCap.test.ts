/**
 * The catalogue's limit holds per publication, not per message (issue 25, item 5): the parts of one publication
 * together carry at most MAX_CATALOGUE_CAMPAIGNS campaigns; a part that would pass it is refused and writes nothing,
 * so that publication never becomes the connection's catalogue, while a part sent twice is counted once.
 * Handlers in process against dynalite (test/unit/fuzz/harness.ts).
 */
import type { Context } from 'aws-lambda';
import { MAX_CATALOGUE_CAMPAIGNS } from '../../../contract/limits';
import type { WebSocketEvent, WebSocketResult } from '../../../lambdas/edge/webSocket';
import { CatalogueStore } from '../../../lambdas/catalogue/catalogueStore';
import { lambdaContext, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';

jest.setTimeout(120_000);

type Ws = (event: WebSocketEvent, context: Context) => Promise<WebSocketResult>;
let env: FuzzEnvironment;

function wsEvent(route: string, body: unknown, connectionId: string, eventType = 'MESSAGE'): WebSocketEvent {
  return {
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      routeKey: route,
      eventType,
      messageId: 'm',
      connectionId,
      connectedAt: Date.now(),
      requestId: 'r',
      stage: 'v1',
      authorizer: { tenant: 'cap-tenant', username: 'inst', instance: 'desk', principalId: 'inst' },
    },
  } as unknown as WebSocketEvent;
}

const campaigns = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => ({
    Name: `C${from + i}`,
    Active: true,
    Type: 'internal',
    AllowRecordCreation: true,
    Workflow: 'W',
    ExternalLinks: [],
  }));

async function publish(connectionId: string, sequence: number, part: number, parts: number, list: unknown[]) {
  const message = { Action: 'Catalogue', Sequence: sequence, Part: part, Parts: parts, Campaigns: list };
  const answer = await env.handler<Ws>('wsCatalogue')(wsEvent('Catalogue', message, connectionId), lambdaContext());
  return String((answer as { body?: string })?.body ?? '');
}

beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

test('the parts of one publication carry at most MAX_CATALOGUE_CAMPAIGNS campaigns together', async () => {
  const id = 'cap-conn';
  await env.handler<Ws>('wsConnect')(wsEvent('$connect', undefined, id, 'CONNECT'), lambdaContext());
  const store = new CatalogueStore(env.clients.db, env.table.tableName);
  const half = MAX_CATALOGUE_CAMPAIGNS / 2;

  expect(await publish(id, 1, 1, 3, campaigns(0, half))).not.toMatch(/"Type":"Error"/);
  // The same part again (a retry) is counted once.
  expect(await publish(id, 1, 1, 3, campaigns(0, half))).not.toMatch(/"Type":"Error"/);
  expect(await publish(id, 1, 2, 3, campaigns(half, half))).not.toMatch(/"Type":"Error"/);
  const refused = await publish(id, 1, 3, 3, campaigns(2 * half, 1));
  expect(refused).toMatch(/"Type":"Error"/);
  expect(refused).toMatch(new RegExp(`at most ${MAX_CATALOGUE_CAMPAIGNS.toLocaleString('en')} campaigns`));
  expect(await store.catalogueOf(id)).toBeUndefined();
  expect((await store.entriesFor('cap-tenant', `C${2 * half}`)).length).toBe(0);

  // A newer publication starts its own count and completes.
  expect(await publish(id, 2, 1, 1, campaigns(0, 3))).not.toMatch(/"Type":"Error"/);
  expect(await store.catalogueOf(id)).toBe(2);

  // The connection leaves: its clean-up removes every catalogue entry it owns.
  await env.handler<Ws>('wsDisconnect')(wsEvent('$disconnect', undefined, id, 'DISCONNECT'), lambdaContext());
  expect(await store.allEntries('cap-tenant')).toEqual([]);
});
