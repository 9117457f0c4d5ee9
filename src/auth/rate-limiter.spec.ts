import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 0;
  });

  it('allows perMinute at once, then tells how long until the next token', () => {
    const limiter = new RateLimiter<number>(5, clock);
    expect(Array.from({ length: 6 }, () => limiter.take(1))).toEqual([0, 0, 0, 0, 0, 12_000]);
    now += 12_000;
    expect(limiter.take(1)).toBe(0);
    expect(limiter.take(2)).toBe(0);
  });

  it('peeks without taking', () => {
    const limiter = new RateLimiter<string>(1, clock);
    expect(limiter.peek('a')).toBe(0);
    expect(limiter.take('a')).toBe(0);
    expect(limiter.peek('a')).toBe(60_000);
    expect(limiter.peek('a')).toBe(60_000);
  });

  it('drops buckets idle for a minute, which are full again anyway', () => {
    const limiter = new RateLimiter<number>(2, clock);
    for (let key = 0; key < 1000; key++) limiter.take(key);
    expect(limiter.size).toBe(1000);
    now += 60_000;
    limiter.take(5000);
    expect(limiter.size).toBe(1);
    expect(limiter.take(0)).toBe(0);
    expect(limiter.take(0)).toBe(0);
  });

  it('never holds more than maxBuckets, dropping the least recently used', () => {
    const limiter = new RateLimiter<number>(1, clock, 10);
    for (let key = 0; key < 100; key++) limiter.take(key);
    expect(limiter.size).toBe(10);
    expect(limiter.take(99)).toBeGreaterThan(0);
  });
});
