/**
 * The catalogue's limit holds per publication, not per message (issue 25, item 5): the parts of one publication
 * together carry at most MAX_CATALOGUE_CAMPAIGNS campaigns; a part that would pass it is refused and writes nothing,
 * so that publication never becomes the connection's catalogue, while a part sent twice is counted once.
 * Handlers in process against dynalite (test/unit/fuzz/harness.ts).
 */
import { MAX_CATALOGUE_CAMPAIGNS } from '../../../contract/limits';
import { CatalogueStore } from '../../../lambdas/catalogue/catalogueStore';
import { startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { catalogueCampaign, sendOnConnection } from '../support/tenantSetup';

jest.setTimeout(120_000);

let env: FuzzEnvironment;
const instance = (connectionId: string) => ({ tenant: 'cap-tenant', connectionId });

const campaigns = (from: number, count: number) =>
  Array.from({ length: count }, (_, i) => catalogueCampaign(`C${from + i}`));

async function publish(connectionId: string, sequence: number, part: number, parts: number, list: unknown[]) {
  const message = { Action: 'Catalogue', Sequence: sequence, Part: part, Parts: parts, Campaigns: list };
  return sendOnConnection(env, instance(connectionId), 'Catalogue', message);
}

beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

test('the parts of one publication carry at most MAX_CATALOGUE_CAMPAIGNS campaigns together', async () => {
  const id = 'cap-conn';
  await sendOnConnection(env, instance(id), '$connect');
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
  await sendOnConnection(env, instance(id), '$disconnect');
  expect(await store.allEntries('cap-tenant')).toEqual([]);
});
