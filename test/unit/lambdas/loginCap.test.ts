/**
 * One cap on the agents of one connection's Desktop for both paths. A Desktop list above
 * MAX_DESKTOP_AGENTS is refused by its schema; Logins used to pass it (5,000 agents reached). Handlers in process
 * against dynalite (test/unit/fuzz/harness.ts).
 */
import { MAX_DESKTOP_AGENTS } from '../../../contract/limits';
import type { WebSocketEvent } from '../../../lambdas/edge/webSocket';
import { ConnectionStore } from '../../../lambdas/presence/connectionStore';
import { lambdaContext, startFuzzEnvironment, type FuzzEnvironment } from '../fuzz/harness';
import { instanceEvent, type WsHandler } from '../support/tenantSetup';

jest.setTimeout(60_000);

let env: FuzzEnvironment;
beforeAll(async () => {
  env = await startFuzzEnvironment();
});
afterAll(async () => env?.stop());

const TENANT = 'cap-tenant';
const event = (connectionId: string, routeKey: string, message: unknown): WebSocketEvent =>
  instanceEvent({ tenant: TENANT, connectionId }, routeKey, JSON.stringify(message));

describe('Login and Desktop share one cap (MAX_DESKTOP_AGENTS)', () => {
  it('refuses a Login past the cap with an Error, accepts one already held, and one after a Logout', async () => {
    const connectionId = 'Cap+Conn/1=';
    const connections = new ConnectionStore(env.table.db, env.table.tableName);
    await env.handler<WsHandler>('wsConnect')(
      { ...event(connectionId, '$connect', {}), body: undefined } as WebSocketEvent,
      lambdaContext(),
    );
    const full = Array.from({ length: MAX_DESKTOP_AGENTS }, (_, i) => `agent${i}`);
    const desktop = env.handler<WsHandler>('wsDesktop');
    const login = env.handler<WsHandler>('wsLogin');
    const logout = env.handler<WsHandler>('wsLogout');
    expect(
      (await desktop(event(connectionId, 'Desktop', { Action: 'Desktop', Agents: full }), lambdaContext())).body,
    ).toBeUndefined();

    const refused = await login(
      event(connectionId, 'Login', { Action: 'Login', Username: 'one-too-many' }),
      lambdaContext(),
    );
    expect(JSON.parse(refused.body!)).toMatchObject({ Type: 'Error', Code: 'InvalidMessage' });
    expect(await connections.connectionsForAgent(TENANT, 'one-too-many')).toEqual([]);

    expect(
      (await login(event(connectionId, 'Login', { Action: 'Login', Username: 'agent7' }), lambdaContext())).body,
    ).toBeUndefined();
    expect(
      (await logout(event(connectionId, 'Logout', { Action: 'Logout', Username: 'agent7' }), lambdaContext())).body,
    ).toBeUndefined();
    expect(
      (await login(event(connectionId, 'Login', { Action: 'Login', Username: 'newcomer' }), lambdaContext())).body,
    ).toBeUndefined();
    expect(await connections.connectionsForAgent(TENANT, 'newcomer')).toHaveLength(1);
    expect(await connections.agentsOf(connectionId)).toHaveLength(MAX_DESKTOP_AGENTS);
  });
});
