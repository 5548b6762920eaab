/**
 * The local usage plans (local/gateway/usagePlans.ts): a token bucket per API key on its plan's throttle, as API
 * Gateway throttles each key of a usage plan; a key on no plan of the stage, or disabled, is refused (403).
 */
import { UsagePlans } from '../../../local/gateway/usagePlans';

function plansAt(clock: { now: number }) {
  const plans = new UsagePlans('api1', 'v1', () => clock.now);
  const plan = plans.addPlan('default', 'default', { rate: 2, burst: 2 });
  const key = (id: string, value: string, enabled = true) => {
    plans.keys.set(id, { id, name: id, value, enabled, createdDate: 0 });
    return id;
  };
  return { plans, plan, key };
}

describe('local usage plans', () => {
  test("each key has its own bucket: one tenant at its limit does not take another tenant's", () => {
    const clock = { now: 0 };
    const { plans, plan, key } = plansAt(clock);
    plan.keyIds.add(key('a', 'remote-pop-api1-tenant-a'));
    plan.keyIds.add(key('b', 'remote-pop-api1-tenant-b'));
    expect([1, 2, 3].map(() => plans.take('remote-pop-api1-tenant-a'))).toEqual(['pass', 'pass', 'throttled']);
    expect(plans.take('remote-pop-api1-tenant-b')).toBe('pass');
    // Half a second later one token (rate 2/s) is back for the throttled key.
    clock.now = 500;
    expect(plans.take('remote-pop-api1-tenant-a')).toBe('pass');
    expect(plans.take('remote-pop-api1-tenant-a')).toBe('throttled');
  });

  test('a key on no plan of this stage, a disabled key or no key: invalidKey', () => {
    const clock = { now: 0 };
    const { plans, plan, key } = plansAt(clock);
    key('loose', 'remote-pop-api1-loose-key');
    plan.keyIds.add(key('off', 'remote-pop-api1-disabled', false));
    const other = plans.addPlan('other', 'other stage', { rate: 1, burst: 1 });
    (other.apiStages as { apiId: string; stage: string }[])[0] = { apiId: 'api1', stage: 'v2' };
    other.keyIds.add(key('elsewhere', 'remote-pop-api1-elsewhere'));
    for (const value of [
      'remote-pop-api1-loose-key',
      'remote-pop-api1-disabled',
      'remote-pop-api1-elsewhere',
      undefined,
    ])
      expect(plans.take(value)).toBe('invalidKey');
  });

  test("a plan's new throttle applies at once (an operator's override without a restart)", () => {
    const clock = { now: 0 };
    const { plans, plan, key } = plansAt(clock);
    plan.keyIds.add(key('a', 'remote-pop-api1-tenant-a'));
    expect([1, 2, 3].map(() => plans.take('remote-pop-api1-tenant-a'))).toEqual(['pass', 'pass', 'throttled']);
    plan.throttle = { rateLimit: 100, burstLimit: 10 };
    expect(Array.from({ length: 10 }, () => plans.take('remote-pop-api1-tenant-a'))).not.toContain('throttled');
  });
});
