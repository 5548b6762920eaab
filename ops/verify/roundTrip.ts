/**
 * The round trip `npm run verify` and the canary (ops/canary/) make through a stack, as a caller and a Scripting
 * instance would: a tenant's two users, a webhook, a synthetic instance connected over the WebSocket API, a pop until
 * Opened, the events feed, the webhook delivery, a recalled second pop, a refused wrong password. Every step is timed;
 * the first failure stops the trip, and the clean-up step runs whatever happened (steps.ts has each step).
 */
import { describeError, isUnreachable } from './errors';
import { cleanUp, STEPS, type Run, type StackUnderTest } from './steps';
import { emptyTraces, type Identity } from './tenant';

export type { StackUnderTest } from './steps';

export interface StepResult {
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped';
  /** What it did, why it was skipped, or why it failed. */
  readonly detail: string;
  readonly ms: number;
}

export interface RoundTripReport {
  readonly tenant: string;
  readonly passed: boolean;
  readonly steps: readonly StepResult[];
  /** The step that failed (clean-up included), if any. */
  readonly failedStep?: string;
  /** The failure was the stack not answering at all (connection refused, DNS, time-out of the WebSocket handshake). */
  readonly unreachable: boolean;
  /** From the first step to the end of the last pop step (clean-up not included): the canary's latency. */
  readonly roundTripMs: number;
  readonly totalMs: number;
}

export interface RoundTripOptions {
  readonly identity: Identity;
  /** Each step as it ends (the CLI prints it). */
  readonly onStep?: (step: StepResult) => void;
  /** How long a step may wait for the stack. @default 10000 */
  readonly stepTimeoutMs?: number;
  /** For tests: called once the synthetic instance is connected (e.g. to stop it). */
  readonly afterConnect?: (run: Run) => Promise<void>;
}

async function timed(name: string, act: () => Promise<string | { skipped: string }>): Promise<StepResult> {
  const started = performance.now();
  try {
    const result = await act();
    const ms = Math.round(performance.now() - started);
    if (typeof result === 'string') return { name, outcome: 'passed', detail: result, ms };
    return { name, outcome: 'skipped', detail: result.skipped, ms };
  } catch (error) {
    const ms = Math.round(performance.now() - started);
    return Object.assign({ name, outcome: 'failed' as const, detail: describeError(error), ms }, { error });
  }
}

/** Runs every step until one fails, then the clean-up; never throws. */
export async function runRoundTrip(stack: StackUnderTest, options: RoundTripOptions): Promise<RoundTripReport> {
  const started = performance.now();
  const run: Run = {
    stack,
    identity: options.identity,
    timeoutMs: options.stepTimeoutMs ?? 10_000,
    traces: emptyTraces(),
  };
  const steps: StepResult[] = [];
  let failure: unknown;
  for (const step of STEPS) {
    const result = await timed(step.name, () => step.run(run, options.afterConnect));
    steps.push(result);
    options.onStep?.(result);
    if (result.outcome === 'failed') {
      failure = (result as StepResult & { error?: unknown }).error;
      break;
    }
  }
  const roundTripMs = Math.round(performance.now() - started);
  const cleanup = await timed('clean up', () => cleanUp(run));
  steps.push(cleanup);
  options.onStep?.(cleanup);
  const failed = steps.find((step) => step.outcome === 'failed');
  return {
    tenant: options.identity.tenant,
    passed: failed === undefined,
    steps,
    ...(failed ? { failedStep: failed.name } : {}),
    unreachable: failure !== undefined && isUnreachable(failure),
    roundTripMs,
    totalMs: Math.round(performance.now() - started),
  };
}
