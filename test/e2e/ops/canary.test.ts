/**
 * The canary's handler (ops/canary/canary.ts) invoked in process against the e2e local stack: it passes and publishes
 * success 1 with its latency; with the WebSocket API unreachable it fails at the connect step and publishes 0. Its users
 * stay (a standing tenant), its run's table items do not.
 */
import { makeCanaryHandler } from '../../../ops/canary/canary';
import { loadVerifyTarget, type VerifyTarget } from '../../../ops/verify/target';
import { uniqueName } from '../support/names';

const published: { success: boolean; latencyMs: number | undefined }[] = [];
const metrics = {
  publish: (success: boolean, latencyMs: number | undefined) => published.push({ success, latencyMs }),
};
let target: VerifyTarget;

beforeAll(async () => {
  target = await loadVerifyTarget(process.env.E2E_ENDPOINTS_FILE, process.env);
});
afterAll(() => target.close());
beforeEach(() => published.splice(0));

describe('the canary handler', () => {
  test('against the local stack: passes every step, success 1 and the latency; a second run passes too', async () => {
    const lines: string[] = [];
    const handler = makeCanaryHandler({
      stack: target,
      metrics,
      tenant: uniqueName('canary'),
      log: (l) => lines.push(l),
    });
    const first = await handler();
    expect({ passed: first.passed, failedStep: first.failedStep, lines }).toEqual({
      passed: true,
      failedStep: undefined,
      lines: expect.any(Array),
    });
    expect(published).toEqual([{ success: true, latencyMs: first.roundTripMs }]);
    // Its users stay and get a new password: the next run signs in with that one.
    expect((await handler()).passed).toBe(true);
    expect(published.map((p) => p.success)).toEqual([true, true]);
  }, 60_000);

  test('with the WebSocket API unreachable: fails at connect, success 0, no latency', async () => {
    const unreachable = { ...target, webSocketUrl: 'ws://127.0.0.1:9/v1' };
    const handler = makeCanaryHandler({
      stack: unreachable,
      metrics,
      tenant: uniqueName('canary'),
      stepTimeoutMs: 3000,
      log: () => undefined,
    });
    const result = await handler();
    expect({ passed: result.passed, failedStep: result.failedStep }).toEqual({ passed: false, failedStep: 'connect' });
    expect(result.steps.at(-1)).toMatchObject({ name: 'clean up', outcome: 'passed' });
    expect(published).toEqual([{ success: false, latencyMs: undefined }]);
  }, 60_000);
});
