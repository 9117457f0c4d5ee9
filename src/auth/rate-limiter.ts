const REFILL_MS = 60_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per key (an API key's id, or a client address): `perMinute` a minute, with
 * bursts up to that many. Kept in memory, per instance, and bounded: a bucket idle for a minute
 * is full again, the same as none, so it is dropped; past `maxBuckets` the least recently used
 * goes. Buckets are kept in order of last use, so both cost O(1) per call, amortised.
 */
export class RateLimiter<K> {
  private readonly buckets = new Map<K, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: () => number,
    private readonly maxBuckets = 100_000,
  ) {}

  /** Takes one token for the key; answers 0 when allowed, else the milliseconds until one is free. */
  take(key: K): number {
    const bucket = this.refilled(key);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return this.wait(bucket);
  }

  /** The milliseconds until the key has a token (0: it has one now), taking none. */
  peek(key: K): number {
    const bucket = this.refilled(key);
    return bucket.tokens >= 1 ? 0 : this.wait(bucket);
  }

  /** Buckets held now, for tests of the bound. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(key: K): Bucket {
    const now = this.clock();
    this.dropIdle(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.perMinute, at: now };
    // A clock stepped back (NTP, a test's fake time) refills nothing, rather than draining the bucket for as long.
    const elapsed = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.perMinute, bucket.tokens + elapsed * (this.perMinute / REFILL_MS));
    bucket.at = now;
    this.buckets.delete(key);
    this.buckets.set(key, bucket);
    if (this.buckets.size > this.maxBuckets) this.buckets.delete(this.buckets.keys().next().value as K);
    return bucket;
  }

  private dropIdle(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (now - bucket.at < REFILL_MS) return;
      this.buckets.delete(key);
    }
  }

  private wait(bucket: Bucket): number {
    return Math.ceil((1 - bucket.tokens) / (this.perMinute / REFILL_MS));
  }
}
