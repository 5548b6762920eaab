import type { StepResult } from './roundTrip';

const MARK: Record<StepResult['outcome'], string> = { passed: 'ok  ', failed: 'FAIL', skipped: 'skip' };

/** One step as `verify` and the canary print it: outcome, name, time, what it did. */
export const formatStep = (step: StepResult): string =>
  `  ${MARK[step.outcome]} ${step.name.padEnd(15)} ${`${step.ms} ms`.padStart(8)}  ${step.detail}`;
