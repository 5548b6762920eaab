/**
 * `launchE2eStack(settings)`: the e2e settings for the project's one launcher (`launchStack`, local/launcher.ts): a
 * local stack in a child process on free ports, with the `/__local` test hooks and fault commands, the handlers'
 * logs at INFO in `<localDir>/stack.log` (every line a deployed handler would write, so the secrets check reads all of
 * them) and the gateway's lines in `gateway.log` (none when `quiet`). For the shared e2e stack (globalSetup) and the
 * few test files that need a stack of their own (ownStack.ts: short tokens; faultStack.ts: faults).
 */
import { launchStack, type LaunchedStack } from '../../../local/launcher';

export type { LaunchedStack };

export interface E2eStackSettings {
  readonly localDir: string;
  /** May be fractional (the emulator honours it): 0.1 gives 6-second IdTokens. @default 60 */
  readonly idTokenValidityMinutes?: number;
  /** @default 60 */
  readonly claimWindowSeconds?: number;
  /** The webhook back-off in seconds (short in tests). */
  readonly webhookRetrySeconds?: readonly number[];
  /** Seconds of webhook back-off per real second (the production schedule, faster). */
  readonly webhookTimeScale?: number;
  /** DynamoDB, stream and queue data kept here across a restart. */
  readonly dataDir?: string;
  /** Serve from this existing table (a restored copy) instead of creating one. */
  readonly tableName?: string;
  /** The stage throttle and the default usage plan's throttle per tenant (every tenant then needs its API key). */
  readonly throttle?: { readonly rate: number; readonly burst: number };
  readonly tenantThrottle?: { readonly rate: number; readonly burst: number };
  /** No gateway.log. @default false */
  readonly quiet?: boolean;
}

/** `timeoutMs` bounds a start that ends at its ready message (about 5 s on a quiet machine, far more under load). */
export function launchE2eStack(settings: E2eStackSettings, label: string, timeoutMs = 120_000): Promise<LaunchedStack> {
  const { quiet, ...stackSettings } = settings;
  return launchStack(
    { ...stackSettings, testHooks: true, gatewayLog: quiet ? 'none' : 'file' },
    {
      label,
      timeoutMs,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'INFO' },
    },
  );
}
