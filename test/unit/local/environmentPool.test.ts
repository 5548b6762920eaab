/**
 * How invocations get execution environments (local/gateway/environmentPool.ts), driven with fake environments: a warm
 * one is reused before any is created, a function has no more environments than `maxEnvironments` while the cores are
 * saturated (invocations beyond wait for one, first come first served) and grows past it when they have room, the
 * concurrency limit counts running invocations as Lambda counts concurrent executions (not those waiting for a busy
 * machine), and an environment ended by
 * its invocation makes room for a new one.
 */
import {
  ColdStartSlots,
  FunctionPool,
  LambdaThrottledError,
  type PooledEnvironment,
} from '../../../local/gateway/environmentPool';

class FakeEnvironment implements PooledEnvironment {
  readonly ready = Promise.resolve();
  alive = true;
  idleTimer: NodeJS.Timeout | undefined;
  constructor(readonly id: number) {}
  end(): void {
    this.alive = false;
  }
}

function poolOf(limits: { concurrency: number; maxEnvironments: number }, slots = new ColdStartSlots(8)) {
  const created: FakeEnvironment[] = [];
  const pool = new FunctionPool<FakeEnvironment>(
    () => {
      const environment = new FakeEnvironment(created.length);
      created.push(environment);
      return environment;
    },
    limits,
    60_000,
    slots,
  );
  return { pool, created };
}

/** Lets the pool's promise callbacks (an Init settling) run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

afterEach(() => jest.useRealTimers());

describe('FunctionPool', () => {
  it('reuses the most recently released warm environment instead of creating one', async () => {
    // GIVEN two environments, both released, the second last
    const { pool, created } = poolOf({ concurrency: 10, maxEnvironments: 10 });
    const [first, second] = await Promise.all([pool.acquire(), pool.acquire()]);
    pool.finish(first!, true);
    pool.finish(second!, true);
    // WHEN another invocation comes
    const next = await pool.acquire();
    // THEN it gets the most recently used one, and nothing new was created
    expect(next).toBe(second);
    expect(created).toHaveLength(2);
  });

  it('creates no more than maxEnvironments: later invocations wait for a released one, in order', async () => {
    // GIVEN a function allowed 2 environments and 10 concurrent invocations, both environments busy
    const { pool, created } = poolOf({ concurrency: 10, maxEnvironments: 2 });
    const [a, b] = await Promise.all([pool.acquire(), pool.acquire()]);
    // WHEN two more invocations come
    const order: string[] = [];
    const third = pool.acquire().then((environment) => (order.push('third'), environment));
    const fourth = pool.acquire().then((environment) => (order.push('fourth'), environment));
    await settle();
    // THEN they wait, no third environment is created, and they get the released ones first come first served
    expect(order).toEqual([]);
    expect(created).toHaveLength(2);
    pool.finish(b!, true);
    expect(await third).toBe(b);
    pool.finish(a!, true);
    expect(await fourth).toBe(a);
    expect(order).toEqual(['third', 'fourth']);
    expect(pool.size()).toBe(2);
  });

  it('grows past maxEnvironments for a waiting invocation once the cores have room (the busy ones wait on I/O)', async () => {
    // GIVEN the one environment allowed is busy, an invocation waits, and the cores are saturated
    let saturated = true;
    const slots = new ColdStartSlots(8, () => saturated);
    const { pool, created } = poolOf({ concurrency: 5, maxEnvironments: 1 }, slots);
    const busy = await pool.acquire();
    const waiting = pool.acquire();
    slots.pumpAll();
    await settle();
    expect(created).toHaveLength(1);
    // WHEN a CPU sample finds room
    saturated = false;
    slots.pumpAll();
    // THEN the waiting invocation gets a new environment, as Lambda would scale out, up to the concurrency limit
    const grown = await waiting;
    expect(grown).not.toBe(busy);
    expect(created).toHaveLength(2);
    // AND once the cores are saturated again, the environment past maxEnvironments ends when its invocation does
    saturated = true;
    pool.finish(grown, true);
    expect(grown.alive).toBe(false);
    pool.finish(busy, true);
    expect(busy.alive).toBe(true);
    expect(pool.size()).toBe(1);
  });

  it('throttles once the concurrency limit of invocations is running, as Lambda counts concurrent executions', async () => {
    // GIVEN a limit of 2, the cores saturated (ColdStartSlots' default) so the pool stays at maxEnvironments 2
    const { pool } = poolOf({ concurrency: 2, maxEnvironments: 2 });
    const running = await Promise.all([pool.acquire(), pool.acquire()]);
    // WHEN a third comes while both run THEN Lambda's throttle
    expect(() => pool.acquire()).toThrow(LambdaThrottledError);
    // AND once one has finished, another is accepted again
    pool.finish(running[0]!, true);
    const next = await pool.acquire();
    pool.finish(next, true);
    pool.finish(running[1]!, true);
  });

  it('does not count an invocation waiting for a busy machine against the limit (AWS would run it)', async () => {
    // GIVEN a limit of 3 served by 1 environment while the cores are saturated: one running, two waiting
    const { pool } = poolOf({ concurrency: 3, maxEnvironments: 1 });
    const running = await pool.acquire();
    const waiting = [pool.acquire(), pool.acquire(), pool.acquire()];
    // THEN none was refused: every waiting one gets the environment in turn, first come first served
    pool.finish(running, true);
    for (const next of waiting) pool.finish(await next, true);
    expect(pool.size()).toBe(1);
  });

  it('bounds the waiting invocations at ten times the limit', async () => {
    // GIVEN a limit of 2 served by 1 environment while the cores are saturated: one running, twenty waiting
    const { pool } = poolOf({ concurrency: 2, maxEnvironments: 1 });
    const running = await pool.acquire();
    const waiting = Array.from({ length: 20 }, () => pool.acquire());
    expect(() => pool.acquire()).toThrow(LambdaThrottledError);
    pool.finish(running, true);
    for (const next of waiting) pool.finish(await next, true);
  });

  it('replaces an environment its invocation ended (a timeout) with a new one for a waiting invocation', async () => {
    // GIVEN the only environment allowed is busy and an invocation waits
    const { pool, created } = poolOf({ concurrency: 5, maxEnvironments: 1 });
    const timedOut = await pool.acquire();
    const waiting = pool.acquire();
    // WHEN the busy invocation ends its environment
    pool.finish(timedOut, false);
    // THEN the waiting invocation gets a new environment (a cold start), the old one is ended
    const replacement = await waiting;
    expect(replacement).not.toBe(timedOut);
    expect(timedOut.alive).toBe(false);
    expect(created).toHaveLength(2);
    expect(pool.size()).toBe(1);
  });

  it('retires an environment idle for the idle period', async () => {
    jest.useFakeTimers();
    const { pool } = poolOf({ concurrency: 2, maxEnvironments: 2 });
    const environment = await pool.acquire();
    pool.finish(environment, true);
    jest.advanceTimersByTime(60_000);
    expect(environment.alive).toBe(false);
    expect(pool.size()).toBe(0);
  });
});
