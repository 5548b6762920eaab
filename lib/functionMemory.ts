/**
 * Memory per function, MB. Lambda gives CPU in proportion to memory (one vCPU at 1,769 MB), so this sets both the
 * CPU a function runs with and what its milliseconds cost. The choices and the table they come from:
 * docs/deploy.md, "Memory per function" (measured by bench/costProjection.ts). No CDK import: the bench reads it.
 */
import type { HandlerName } from '../lambdas/handlerNeeds';

/** Every function not listed below. */
export const DEFAULT_FUNCTION_MEMORY_MB = 256;

/**
 * The caller waits for these: the smallest size whose projected warm duration is within 25 % (at least 10 ms) of the
 * duration at a full vCPU. Every other function is I/O-bound or runs in the background, where the cheapest size wins
 * and 256 MB is kept as the floor for Node with a bundled SDK.
 */
export const FUNCTION_MEMORY_MB: Readonly<Partial<Record<HandlerName, number>>> = {
  pop: 1024,
  popStatus: 512,
};

export const memoryOf = (handlerName: HandlerName): number =>
  FUNCTION_MEMORY_MB[handlerName] ?? DEFAULT_FUNCTION_MEMORY_MB;
