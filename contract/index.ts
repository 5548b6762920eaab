/**
 * The contract: every message between callers, the API and Scripting instances, defined once. Each schema is both a
 * TypeScript type and a JSON Schema. Run-time checks use the precompiled validators in ./generated with
 * `problemsOf` (./problems.ts). This module has no AWS dependency; the reference instance imports only it.
 */
export * from './limits';
export * from './statuses';
export * from './errors';
export * from './rest';
export * from './webSocket';
export * from './operations';
export * from './events';
export * from './instanceConfig';
export * from './catalogue';
export * from './webhooks';
export { problemsOf, type CompiledValidator } from './problems';
