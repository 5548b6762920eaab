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
