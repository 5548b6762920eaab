/**
 * The reference instance's control surface (instance/control.ts) against hostile requests: bad percent-encoding is
 * 400, never 500 (issue 25, item 10); a change it cannot attribute to its own page (no token of this start: a
 * tenant's webhook POSTing to 127.0.0.1, another program) changes nothing (item 2).
 */
import { route, startControlServer, type ControlServer, type InstanceControl } from '../../../instance/control';
import { postSigned } from '../../../lambdas/webhooks/delivery';

const control: InstanceControl = {
  status: () => ({}),
  agent: () => undefined,
  login: () => ({ status: 'LoggedIn' }) as never,
  logout: () => ({ status: 'LoggedOut' }) as never,
  closeRecord: () => ({ status: 'Closed' }) as never,
  setPluginEnabled: () => undefined,
};

describe('the control surface', () => {
  it.each([
    ['GET', '/agents/%E0%A4%A'],
    ['POST', '/agents/%E0%A4%A/login'],
    ['POST', '/agents/%/logout'],
    ['POST', '/%ZZ/enable'],
  ])('answers 400 to %s %s (bad percent-encoding)', (method, path) => {
    const answer = route(control, method, path);
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ error: 'BadPath' });
  });
});

describe("a change needs this start's token", () => {
  let server: ControlServer;
  const switched: boolean[] = [];
  const url = (path: string) => `http://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    server = await startControlServer({ ...control, setPluginEnabled: (on) => switched.push(on) }, 0);
  });
  afterAll(() => server.close());
  beforeEach(() => (switched.length = 0));

  it('a POST without the token (no Origin, as a webhook or a local program sends it) is 403 and changes nothing', async () => {
    const response = await fetch(url('/plugin/disable'), { method: 'POST' });
    expect(response.status).toBe(403);
    expect(switched).toEqual([]);
  });

  it("a tenant's webhook delivery to the control surface changes nothing", async () => {
    const result = await postSigned(url('/plugin/disable'), '{}', { 'webhook-id': 'x' }, { allowLoopbackHttp: true });
    expect(result).toEqual({ ok: false, error: 'HTTP 403' });
    expect(switched).toEqual([]);
  });

  it('a wrong token is 403', async () => {
    const response = await fetch(url('/plugin/disable'), { method: 'POST', headers: { 'X-Control-Token': 'guess' } });
    expect(response.status).toBe(403);
    expect(switched).toEqual([]);
  });

  it('the token read from GET /token (as the page reads it) is accepted', async () => {
    const { token } = (await (await fetch(url('/token'))).json()) as { token: string };
    expect(token).toBe(server.token);
    const response = await fetch(url('/plugin/disable'), { method: 'POST', headers: { 'X-Control-Token': token } });
    expect(response.status).toBe(200);
    expect(switched).toEqual([false]);
  });
});
