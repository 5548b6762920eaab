import { MethodThrottles } from '../../../local/gateway/throttle';

/** The local gateway throttles as API Gateway does: each method on its own bucket (local/gateway/throttle.ts). */
describe('MethodThrottles', () => {
  it('gives each method its own bucket of the stage default: a flood on one leaves the others theirs', () => {
    const throttles = new MethodThrottles({ rate: 1, burst: 2 }, {}, () => 0);
    expect([1, 2, 3].map(() => throttles.take('GET', '/auth'))).toEqual([true, true, false]);
    expect([1, 2].map(() => throttles.take('POST', '/pop'))).toEqual([true, true]);
  });

  it("uses a method's own override, and refills at its rate", () => {
    let now = 0;
    const throttles = new MethodThrottles({ rate: 100, burst: 100 }, { 'GET /auth': { rate: 1, burst: 1 } }, () => now);
    expect(throttles.take('GET', '/auth')).toBe(true);
    expect(throttles.take('GET', '/auth')).toBe(false);
    expect(throttles.take('POST', '/pop')).toBe(true);
    now = 1000;
    expect(throttles.take('GET', '/auth')).toBe(true);
  });

  it('lets everything through without a stage default or an override', () => {
    const throttles = new MethodThrottles(undefined);
    expect(Array.from({ length: 50 }, () => throttles.take('POST', '/pop')).every(Boolean)).toBe(true);
  });
});
