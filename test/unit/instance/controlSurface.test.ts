/**
 * The reference instance's control surface (instance/control.ts) against hostile requests: bad percent-encoding is
 * 400, never 500 (issue 25, item 10).
 */
import { route, type InstanceControl } from '../../../instance/control';

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
