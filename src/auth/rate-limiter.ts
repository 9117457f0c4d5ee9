/**
 * A token bucket per API key: `perMinute` operations a minute, with bursts up to that many.
 * Kept in memory, per instance.
 */
export class RateLimiter {
  private readonly buckets = new Map<number, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number,
  ) {}

  /** Takes one token for the key; answers 0 when allowed, else the milliseconds until one is free. */
  take(keyId: number): number {
    const now = this.clock();
    const ratePerMs = this.perMinute / 60_000;
    const bucket = this.buckets.get(keyId) ?? { tokens: this.perMinute, at: now };
    // A clock stepped back (NTP, a test's fake time) refills nothing, rather than draining the bucket for as long.
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
    bucket.at = now;
    this.buckets.set(keyId, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil((1 - bucket.tokens) / ratePerMs);
  }
}
