/** A token bucket like API Gateway's stage throttle: `rate` requests per second, bursts up to `burst`. */
export interface ThrottleSettings {
  readonly rate: number;
  readonly burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly settings: ThrottleSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = settings.burst;
    this.last = now();
  }

  /** Take one token; false means answer 429. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.settings.burst, this.tokens + ((now - this.last) / 1000) * this.settings.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * API Gateway applies a REST stage's throttle per method ("per-API, per-stage throttling limits are applied at the API
 * method level"): each method has its own bucket of the stage's default, or of its own override (lib/restApi.ts
 * methodOptions: the unauthenticated /auth routes), so a flood on one method does not take another's capacity.
 */
export class MethodThrottles {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(
    private readonly stageDefault: ThrottleSettings | undefined,
    /** By `<METHOD> <resource>`, e.g. `GET /auth`. */
    private readonly overrides: Readonly<Record<string, ThrottleSettings>> = {},
    private readonly now: () => number = Date.now,
  ) {}

  /** Take one token from the method's bucket; false means answer 429. A method with no limit always passes. */
  take(method: string, resource: string): boolean {
    const key = `${method} ${resource}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      const settings = this.overrides[key] ?? this.stageDefault;
      if (!settings) return true;
      bucket = new TokenBucket(settings, this.now);
      this.buckets.set(key, bucket);
    }
    return bucket.take();
  }
}
