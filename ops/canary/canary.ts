/**
 * The synthetic canary: the same round trip as `npm run verify` (ops/verify/roundTrip.ts), run by a scheduled Lambda
 * (lib/canary.ts) as a standing tenant of its own, publishing success (1 or 0) and the round trip's latency. A factory
 * over injected clients and a metrics sink, bound to the environment in lambda.ts; tests call it against the local stack.
 */
import { formatStep } from '../verify/format';
import { runRoundTrip, type RoundTripReport, type StackUnderTest } from '../verify/roundTrip';
import { standingTenant } from '../verify/tenant';

/** The metric names, in the stack's EMF namespace (RemotePop/<stackName>); the alarm in lib/canary.ts reads them. */
export const CANARY_METRIC = {
  /** 1 when every step passed, 0 otherwise: one data point per run. */
  success: 'CanarySuccess',
  /** Milliseconds from the first step to the end of the last (clean-up not included), when the run passed. */
  latency: 'CanaryLatency',
} as const;

/** The canary's tenant: its two users stay in the pool (`canary-api`, `canary-instance`), passwords change every run. */
export const CANARY_TENANT = 'remote-pop-canary';

export interface CanaryMetrics {
  publish(success: boolean, latencyMs: number | undefined): void;
}

export interface CanaryDependencies {
  readonly stack: StackUnderTest;
  readonly metrics: CanaryMetrics;
  /** @default CANARY_TENANT */
  readonly tenant?: string;
  /** @default 10000 (the function's timeout leaves room for every step and the clean-up) */
  readonly stepTimeoutMs?: number;
  /** One line per step. @default console.log */
  readonly log?: (line: string) => void;
}

export interface CanaryResult {
  readonly passed: boolean;
  readonly failedStep?: string;
  readonly roundTripMs: number;
  readonly steps: RoundTripReport['steps'];
}

export function makeCanaryHandler(deps: CanaryDependencies): () => Promise<CanaryResult> {
  const identity = standingTenant(deps.tenant ?? CANARY_TENANT);
  const log = deps.log ?? ((line: string) => console.log(line));
  return async () => {
    const report = await runRoundTrip(deps.stack, {
      identity,
      onStep: (step) => log(formatStep(step)),
      ...(deps.stepTimeoutMs !== undefined ? { stepTimeoutMs: deps.stepTimeoutMs } : {}),
    });
    deps.metrics.publish(report.passed, report.passed ? report.roundTripMs : undefined);
    log(report.passed ? `Canary passed (${report.roundTripMs} ms)` : `Canary FAILED at step "${report.failedStep}"`);
    return {
      passed: report.passed,
      ...(report.failedStep !== undefined ? { failedStep: report.failedStep } : {}),
      roundTripMs: report.roundTripMs,
      steps: report.steps,
    };
  };
}
