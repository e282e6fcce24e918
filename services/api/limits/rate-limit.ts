// Per-organization token bucket: `capacity` operations in a burst, refilled at `refillPerSecond`.
// One bucket per org per process; HTTP and WebSocket operations draw from the same bucket.
export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
}

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string, now = Date.now()): number {
    const { capacity, refillPerSecond } = this.options;
    const bucket = this.buckets.get(key) ?? { tokens: capacity, at: now };
    bucket.tokens = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 1000) * refillPerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return (1 - bucket.tokens) / refillPerSecond;
  }
}
