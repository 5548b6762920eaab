import {
  billedUnits,
  chooseMemory,
  DEFAULT_POLICY,
  ioWaitMs,
  lambdaCostPerMillion,
  popCostPerMillion,
  PRICES,
  projectedColdStartMs,
  projectedDurationMs,
  projectFunction,
  UNLISTED_CALL_LATENCY_MS,
  vcpuShare,
  type FunctionFigures,
} from '../../../bench/costModel';

const figures = (over: Partial<FunctionFigures> = {}): FunctionFigures => ({
  name: 'f',
  cpuMs: 5,
  waves: [['Query'], ['PutItem'], ['PutItem'], ['PostToConnection']],
  initMs: 40,
  readUnits: 1,
  writeUnits: 2,
  logBytes: 100,
  ...over,
});

describe('the CPU share and the projected times', () => {
  it('gives one vCPU at 1,769 MB, half at half of it, and never more than one', () => {
    expect(vcpuShare(1769)).toBe(1);
    expect(vcpuShare(884.5)).toBe(0.5);
    expect(vcpuShare(3538)).toBe(1);
  });

  it('divides CPU by the share and adds the waits: 5 ms at half a vCPU plus 35 ms is 45 ms', () => {
    expect(projectedDurationMs(5, 35, 884.5)).toBe(45);
  });

  it('divides module init by the share: 40 ms at a quarter vCPU is 160 ms', () => {
    expect(projectedColdStartMs(40, 442.25)).toBe(160);
  });
});

describe('ioWaitMs', () => {
  const latencies = { Query: 5, PutItem: 6, PostToConnection: 20 };

  it('adds one round trip per wave, sequential waves one after the other', () => {
    expect(ioWaitMs([['Query'], ['PutItem'], ['PostToConnection']], latencies)).toBe(31);
  });

  it('counts calls in flight together once, for the slowest of them', () => {
    expect(ioWaitMs([['Query', 'PostToConnection', 'PutItem']], latencies)).toBe(20);
  });

  it('takes the stated default for a call it has no latency for, and nothing for no call', () => {
    expect(ioWaitMs([['Mystery']], latencies)).toBe(UNLISTED_CALL_LATENCY_MS);
    expect(ioWaitMs([], latencies)).toBe(0);
  });
});

describe('lambdaCostPerMillion', () => {
  it('bills whole milliseconds of GB-seconds plus the request: 10.2 ms at 1,024 MB', () => {
    // 11 ms x 1 GB = 0.011 GB-s per invocation; a million of them at 0.0000133334 USD, plus 0.20 USD of requests.
    expect(lambdaCostPerMillion(1024, 10.2)).toBeCloseTo(0.011 * 0.0000133334 * 1e6 + 0.2, 10);
  });

  it('costs the request price alone for an invocation of no duration', () => {
    expect(lambdaCostPerMillion(512, 0)).toBe(PRICES.lambdaPerMillionRequests);
  });
});

describe('billedUnits', () => {
  it('charges a read that matched nothing AWS’s minimum: 1 unit consistent, 0.5 eventually consistent', () => {
    const query = { operation: 'Query', consumed: 0, conditionFailed: false };
    expect(billedUnits({ ...query, consistentRead: true })).toEqual({ read: 1, write: 0 });
    expect(billedUnits({ ...query, consistentRead: false })).toEqual({ read: 0.5, write: 0 });
  });

  it('keeps what the emulator reported above the minimum', () => {
    expect(billedUnits({ operation: 'Query', consumed: 2.5, consistentRead: false, conditionFailed: false })).toEqual({
      read: 2.5,
      write: 0,
    });
    expect(
      billedUnits({ operation: 'UpdateItem', consumed: 2, consistentRead: false, conditionFailed: false }),
    ).toEqual({ read: 0, write: 2 });
  });

  it('charges a write refused by its condition one unit, as AWS does', () => {
    expect(billedUnits({ operation: 'PutItem', consumed: 0, consistentRead: false, conditionFailed: true })).toEqual({
      read: 0,
      write: 1,
    });
  });
});

describe('chooseMemory', () => {
  // CPU 5 ms, waits 35 ms: 40 ms at a full vCPU; the slack is max(10 % of 40, 5 ms) = 5 ms, so at most 45 ms.
  const rows = projectFunction(figures());

  it('gives a function someone waits for the smallest size within the slack of the full-vCPU duration', () => {
    expect(rows.find((r) => r.memoryMb === 512)!.durationMs).toBeCloseTo(5 / (512 / 1769) + 35, 6); // 52.3: over
    expect(chooseMemory(rows, { ...DEFAULT_POLICY, role: 'callerWaits' })).toBe(1024); // 43.6: within
  });

  it('takes the share as the slack where it is the larger: 100 ms at a full vCPU may take 110 ms', () => {
    // CPU 10 ms, waits 90 ms: at 1,024 MB 17.3 + 90 = 107.3 ms, within 110; at 512 MB 34.6 + 90 = 124.6 ms, over.
    const slow = projectFunction(figures({ cpuMs: 10, waves: [['InitiateAuth']], initMs: 0 }), undefined, {
      InitiateAuth: 90,
    });
    expect(chooseMemory(slow, { ...DEFAULT_POLICY, role: 'callerWaits' })).toBe(1024);
    expect(chooseMemory(slow, { ...DEFAULT_POLICY, role: 'callerWaits', slackShare: 0.3 })).toBe(512);
  });

  it('gives a background function the cheapest size, never below the minimum', () => {
    expect(chooseMemory(rows, { ...DEFAULT_POLICY, role: 'background' })).toBe(256);
    expect(chooseMemory(rows, { ...DEFAULT_POLICY, role: 'background', minimumMb: 128 })).toBe(128);
  });

  it('refuses a table with no size at or above the minimum', () => {
    expect(() => chooseMemory(rows, { ...DEFAULT_POLICY, role: 'background', minimumMb: 4096 })).toThrow(/4096 MB/);
  });
});

describe('popCostPerMillion', () => {
  it('adds every service a pop uses, by hand: two invocations of a function with no duration', () => {
    const f = figures({ cpuMs: 0, waves: [], readUnits: 1, writeUnits: 2, logBytes: 100 });
    const cost = popCostPerMillion({ invocations: { f: 2 }, restRequests: 1, webSocketMessages: 3 }, [f], { f: 256 });
    expect(cost.lambda).toBeCloseTo(0.4, 10); // 2 requests at 0.20 USD per million
    expect(cost.rest).toBeCloseTo(3.5, 10);
    expect(cost.webSocket).toBeCloseTo(3, 10);
    expect(cost.dynamoDbRead).toBeCloseTo(2 * 0.125, 10);
    expect(cost.dynamoDbWrite).toBeCloseTo(4 * 0.625, 10);
    // (100 + 400 platform) bytes x 2 = 1,000 bytes per pop: 1 GB per million pops at 0.50 USD.
    expect(cost.logs).toBeCloseTo(0.5, 10);
    expect(cost.total).toBeCloseTo(0.4 + 3.5 + 3 + 0.25 + 2.5 + 0.5, 10);
  });

  it('refuses a function it has no figures or no memory size for', () => {
    const composition = { invocations: { g: 1 }, restRequests: 0, webSocketMessages: 0 };
    expect(() => popCostPerMillion(composition, [figures()], { g: 256 })).toThrow(/g/);
    expect(() => popCostPerMillion({ ...composition, invocations: { f: 1 } }, [figures()], {})).toThrow(/f/);
  });
});
