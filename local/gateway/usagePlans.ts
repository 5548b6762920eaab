/**
 * API Gateway's usage plans and API keys, as far as this project uses them (docs/edge.md): the throttle of the plan a
 * request's API key is on, a token bucket per key (throttle.ts), and the state the provisioning CLI edits through the
 * control-plane emulation (usagePlanApi.ts). Differences from AWS are listed in local/README.md.
 */
import { randomBytes } from 'crypto';
import { TokenBucket, type ThrottleSettings } from './throttle';

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly value: string;
  enabled: boolean;
  readonly description?: string;
  readonly createdDate: number;
}

export interface UsagePlanRecord {
  readonly id: string;
  name: string;
  description?: string;
  readonly apiStages: { readonly apiId: string; readonly stage: string }[];
  /** API Gateway's names: requests per second and burst. */
  throttle?: { rateLimit: number; burstLimit: number };
  readonly keyIds: Set<string>;
}

/** What the gateway does with a request's usage identifier key. */
export type KeyOutcome = 'pass' | 'throttled' | 'invalidKey';

/** The id API Gateway would give: ten lower-case letters and digits. */
export const newResourceId = (): string =>
  randomBytes(10)
    .toString('base64')
    .replace(/[^a-z0-9]/gi, '')
    .toLowerCase()
    .padEnd(10, '0')
    .slice(0, 10);

export class UsagePlans {
  readonly keys = new Map<string, ApiKeyRecord>();
  readonly plans = new Map<string, UsagePlanRecord>();
  private readonly buckets = new Map<string, { readonly bucket: TokenBucket; readonly settings: string }>();

  constructor(
    private readonly apiId: string,
    private readonly stage: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** The stack's default plan (lib/restApi.ts), with the stage, under a fixed id. */
  addPlan(id: string, name: string, throttle: ThrottleSettings): UsagePlanRecord {
    const plan: UsagePlanRecord = {
      id,
      name,
      apiStages: [{ apiId: this.apiId, stage: this.stage }],
      throttle: { rateLimit: throttle.rate, burstLimit: throttle.burst },
      keyIds: new Set(),
    };
    this.plans.set(id, plan);
    return plan;
  }

  /** The plan of this stage an enabled key with this value is on; its throttle decides (no throttle: no limit). */
  take(keyValue: string | undefined): KeyOutcome {
    const key = keyValue === undefined ? undefined : [...this.keys.values()].find((k) => k.value === keyValue);
    if (!key || !key.enabled) return 'invalidKey';
    const plan = [...this.plans.values()].find(
      (p) => p.keyIds.has(key.id) && p.apiStages.some((s) => s.apiId === this.apiId && s.stage === this.stage),
    );
    if (!plan) return 'invalidKey';
    if (!plan.throttle) return 'pass';
    const settings = `${plan.id}:${plan.throttle.rateLimit}:${plan.throttle.burstLimit}`;
    let entry = this.buckets.get(key.id);
    if (entry?.settings !== settings) {
      const throttle = { rate: plan.throttle.rateLimit, burst: plan.throttle.burstLimit };
      entry = { bucket: new TokenBucket(throttle, this.now), settings };
      this.buckets.set(key.id, entry);
    }
    return entry.bucket.take() ? 'pass' : 'throttled';
  }
}
