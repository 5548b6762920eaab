/**
 * Memory per function, MB. Lambda gives CPU in proportion to memory (one vCPU at 1,769 MB), so this sets both the
 * CPU a function runs with and what its milliseconds cost. The choices and the table they come from:
 * docs/deploy.md, "Memory per function" (measured by bench/costProjection.ts). No CDK import: the bench reads it.
 */
import type { HandlerName } from '../lambdas/handlerNeeds';

/** Every function not listed below. */
export const DEFAULT_FUNCTION_MEMORY_MB = 256;

/**
 * The pop's own function: the caller waits for its push, and its CPU is a fair part of its duration. The smallest
 * size within 10 % (at least 5 ms) of its duration at a full vCPU. Every other function keeps 256 MB: waits on AWS
 * calls dominate, so more memory buys little and costs in proportion; 256 MB is the floor for Node and a bundled SDK.
 */
export const FUNCTION_MEMORY_MB: Readonly<Partial<Record<HandlerName, number>>> = {
  pop: 1024,
};

export const memoryOf = (handlerName: HandlerName): number =>
  FUNCTION_MEMORY_MB[handlerName] ?? DEFAULT_FUNCTION_MEMORY_MB;
