// Token buckets per key (an organization, a client address, a device): `capacity` operations in a
// burst, refilled at `refillPerSecond`. One bucket per key per process; HTTP and WebSocket
// operations of an organization draw from the same bucket. At most `maxKeys` buckets are kept:
// past that the oldest is forgotten (its key starts again with a full bucket), so a flood of
// distinct keys cannot grow memory without bound.
export interface RateLimitOptions {
  capacity: number;
  refillPerSecond: number;
  maxKeys?: number;
}

export const DEFAULT_MAX_KEYS = 100_000;

export class TokenBucketLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Takes one token; returns 0 when allowed, else the seconds until a token is available. */
  take(key: string, now = Date.now()): number {
    const { capacity, refillPerSecond } = this.options;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= (this.options.maxKeys ?? DEFAULT_MAX_KEYS)) this.buckets.delete(this.buckets.keys().next().value!);
      bucket = { tokens: capacity, at: now };
    }
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
