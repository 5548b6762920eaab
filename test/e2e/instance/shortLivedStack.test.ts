/**
 * What needs stack settings the shared e2e stack must not have, on a second small local stack started by this file:
 * IdTokens that live 6 seconds (idTokenValidityMinutes 0.1; cognito-local honours the app client's validity, also
 * fractional, and the authorizers verify `exp`) and a 1-second record claim window.
 *
 * - Token refresh: the reference instance renews its IdToken through the API's own POST /auth/refresh before it
 *   expires, and after the first token is dead it reconnects with the refreshed one, without Basic auth again.
 * - The rules a caller reaches only after the claim window: Unchanged (same record popped again), RecordOpenElsewhere
 *   decided by the instance, and a record resumed from the agent's Activities list.
 *
 * Why a second stack: the shared stack's tokens last 60 min and its claim window 60 s. A second app client with short
 * validity on the shared pool would not do (every authorizer checks `aud` against the stack's one client, and POST
 * /auth/refresh renews through that client), changing the shared client would shorten every other test's tokens, and
 * only counting refresh calls would not show that the refreshed token is what the next handshake accepts. A stack of its
 * own (about 1.5 s to start) runs the real path: Cognito emulator -> POST /auth/refresh handler -> WebSocket authorizer.
 * (Cognito itself allows 5 minutes at least; 6 seconds is a test setting only.)
 */
import { once } from 'events';
import { startOwnStack, type OwnStack } from '../support/ownStack';
import {
  basicAuthorization,
  dropStackConnection,
  restCall,
  sleep,
  stackHandshakeStatus,
  startTestInstance,
  stopTestInstances,
  TestTenant,
  tokenExpiry,
} from '../support/instanceHarness';

const TOKEN_SECONDS = 6;
const CLAIM_WINDOW_MS = 1000;

let stack: OwnStack;

beforeAll(async () => {
  stack = await startOwnStack({
    idTokenValidityMinutes: TOKEN_SECONDS / 60,
    claimWindowSeconds: CLAIM_WINDOW_MS / 1000,
  });
  // The stack's handlers load (and compile) on first use: warm the two token routes so that a cold start does not eat
  // into the 6-second token's refresh margin.
  await Promise.all([
    restCall(stack, 'GET', '/auth'),
    restCall(stack, 'POST', '/auth/refresh', { body: { RefreshToken: 'warm-up' } }),
  ]);
}, 20_000);

// The four tests run concurrently (each has its own tenant and instance): the token test mostly waits for its first
// token to die, the others for the claim window. *Each hooks do not run for concurrent tests: clean up in afterAll.
afterAll(async () => {
  await stopTestInstances();
  await stack?.stop();
});

const afterClaimWindow = () => sleep(CLAIM_WINDOW_MS + 100);
/** Each test takes 1.5 to 9 s; the bound leaves room for a loaded CI machine (the handlers' first calls compile them). */
const TEST_TIMEOUT_MS = 20_000;

describe('on a stack with 6-second IdTokens and a 1-second claim window', () => {
  test.concurrent(
    'token refresh: the instance refreshes its IdToken through POST /auth/refresh before it expires, and reconnects with it after the first one is dead',
    async () => {
      const tenant = await TestTenant.create(stack);
      const user = await tenant.newInstanceUser();
      const desk = await startTestInstance(stack, user, { agents: ['agent1'] });
      const refreshed = once(desk.instance.connector, 'tokens') as Promise<[{ kind: string; expiresIn: number }]>;

      // The first token, from Basic auth, lives 6 s. A token of the same age, fetched here, shows what a stale one gets.
      const [basic] = desk.tokenRequests;
      expect(basic).toMatchObject({ kind: 'basic', status: 200 });
      const firstExpiry = basic!.idTokenExp! * 1000;
      expect(firstExpiry - Date.now()).toBeLessThanOrEqual(TOKEN_SECONDS * 1000);
      const sameAge = await restCall<{ IdToken: string }>(stack, 'GET', '/auth', {
        headers: { Authorization: basicAuthorization(user) },
      });
      const staleToken = sameAge.body.Result.IdToken;

      const [event] = await refreshed;
      expect(event).toMatchObject({ kind: 'refresh', expiresIn: expect.any(Number) });
      expect(desk.tokenRequests).toEqual([
        expect.objectContaining({ kind: 'basic', status: 200 }),
        { kind: 'refresh', sentAt: expect.any(Number), status: 200, idTokenExp: expect.any(Number) },
      ]);
      const refresh = desk.tokenRequests[1]!;
      // Sent at about 80% of the token's life (4.8 s of 6), well before it expired; the new token outlives the first.
      expect(refresh.sentAt).toBeLessThan(firstExpiry - 500);
      expect(refresh.idTokenExp! * 1000).toBeGreaterThan(firstExpiry);

      // Once the first token is dead, the handshake refuses a token of its age...
      await sleep(Math.max(0, tokenExpiry(staleToken) * 1000 + 1100 - Date.now()));
      expect(await stackHandshakeStatus(stack, staleToken)).toBe(401);
      // ...and the instance, its socket dropped now, is back at once with the refreshed token and takes the next pop.
      expect(await dropStackConnection(stack, desk.connectionIds[0]!)).toBe(true);
      const { answer } = await tenant.popUntilAccepted(
        { Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' },
        5000,
      );
      expect(answer.status).toBe(202);
      expect(await tenant.settled(answer.body.Result.PopId)).toMatchObject({ Status: 'Opened' });

      expect(desk.connectionIds).toHaveLength(2);
      expect(desk.tokenRequests.filter((request) => request.kind === 'basic')).toHaveLength(1);
      expect(desk.tokenRequests.every((request) => request.status === 200)).toBe(true);
      expect(desk.logger.entries.filter((entry) => entry.message === 'the WebSocket handshake was refused')).toEqual(
        [],
      );
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    "Unchanged: the same Reference as the agent's current record, popped again after the claim window, changes nothing",
    async () => {
      const tenant = await TestTenant.create(stack);
      const desk = await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
      const first = await tenant.popAndSettle({
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: 'R-1',
        ScriptData: { 'Contact Name': 'Ann' },
      });
      const opened = desk.instance.desktop.agent('agent1')!.current;
      await afterClaimWindow();

      const again = await tenant.popAndSettle({
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: 'R-1',
        ScriptData: { 'Contact Name': 'Bob' },
      });

      expect(again.PopId).not.toBe(first.PopId);
      expect(again).toMatchObject({ Username: 'agent1', Reference: 'R-1', Status: 'Unchanged' });
      expect(again.Reason).toBeUndefined();
      expect(desk.instance.desktop.agent('agent1')).toMatchObject({ current: opened, activities: [] });
      expect(desk.instance.desktop.agent('agent1')?.current).toMatchObject({
        popId: first.PopId,
        fields: { ContactName: 'Ann' },
      });
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    "RecordOpenElsewhere (instance): once the server claim has lapsed, the record still open for agent1 fails agent2's pop",
    async () => {
      const tenant = await TestTenant.create(stack);
      const desk = await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1', 'agent2'] });
      await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-1' });
      await afterClaimWindow();

      const status = await tenant.popAndSettle({ Username: 'agent2', Campaign: 'Sales', Reference: 'R-1' });

      expect(status).toMatchObject({
        Username: 'agent2',
        Reference: 'R-1',
        Status: 'Failed',
        Reason: 'RecordOpenElsewhere',
      });
      expect(desk.instance.desktop.agent('agent1')?.current).toMatchObject({ reference: 'R-1' });
      expect(desk.instance.desktop.agent('agent2')?.current).toBeNull();
    },
    TEST_TIMEOUT_MS,
  );

  test.concurrent(
    "Opened from Activities: a record suspended in the agent's own Activities list, popped again after the claim window, is resumed with the new data merged",
    async () => {
      const tenant = await TestTenant.create(stack);
      const desk = await startTestInstance(stack, await tenant.newInstanceUser(), { agents: ['agent1'] });
      await tenant.popAndSettle({
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: 'R-1',
        ScriptData: { 'Contact Name': 'Ann', var_ContactReason: 'Renewal' },
      });
      await tenant.popAndSettle({ Username: 'agent1', Campaign: 'Sales', Reference: 'R-2' });
      await afterClaimWindow();

      const resumed = await tenant.popAndSettle({
        Username: 'agent1',
        Campaign: 'Sales',
        Reference: 'R-1',
        ScriptData: { var_ContactReason: 'Upgrade' },
      });

      expect(resumed).toMatchObject({ Status: 'Opened' });
      const agent = desk.instance.desktop.agent('agent1');
      expect(agent?.current).toMatchObject({
        reference: 'R-1',
        fields: { ContactName: 'Ann' },
        variables: { ContactReason: 'Upgrade' },
        popId: resumed.PopId,
      });
      expect(agent?.activities.map((record) => record.reference)).toEqual(['R-2']);
    },
    TEST_TIMEOUT_MS,
  );
});
