import fc from 'fast-check';
import {
  bucketOf,
  bucketRange,
  bucketValue,
  countOf,
  fromJson,
  Histogram,
  HISTOGRAM_RELATIVE_ERROR,
  mergeInto,
  quantile,
  record,
  toJson,
} from './latency-histogram';

describe('latency histogram buckets', () => {
  it('keeps values below 64 µs exact, one bucket each', () => {
    for (let us = 0; us < 64; us++) {
      expect(bucketOf(us / 1000)).toBe(us);
      expect(bucketValue(us)).toBeCloseTo(us / 1000, 12);
    }
  });

  it('numbers the buckets without gaps across the first octaves', () => {
    expect(bucketOf(0.064)).toBe(64);
    expect(bucketOf(0.065)).toBe(64); // 64 and 65 µs share a 2 µs bucket
    expect(bucketOf(0.066)).toBe(65);
    expect(bucketOf(0.127)).toBe(95);
    expect(bucketOf(0.128)).toBe(96);
    expect(bucketRange(96)).toEqual({ low: 0.128, high: 0.132 });
  });

  it('puts every value, fractions of a microsecond included, inside its bucket, whose midpoint is within 1/64 of it', () => {
    fc.assert(
      fc.property(fc.double({ min: 0.064, max: 1e9, noNaN: true }), (ms) => {
        const index = bucketOf(ms);
        const { low, high } = bucketRange(index);
        expect(ms).toBeGreaterThanOrEqual(low - 1e-9);
        expect(ms).toBeLessThan(high + 1e-9);
        expect(Math.abs(bucketValue(index) - ms) / ms).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR + 1e-9);
      }),
      { numRuns: 20_000 },
    );
  });

  it('keeps 131.5 µs in its own bucket (rounding to 132 µs put it in the next, 1.9 % off)', () => {
    // The counterexample fast-check found in CI: [132, 136) µs read as 134.
    expect(bucketRange(bucketOf(0.1315))).toEqual({ low: 0.128, high: 0.132 });
    expect(Math.abs(quantile(new Map([[bucketOf(0.1315), 1]]), 0.5)! - 0.1315) / 0.1315).toBeLessThanOrEqual(
      HISTOGRAM_RELATIVE_ERROR,
    );
  });

  it('orders buckets as it orders values', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), fc.double({ min: 0, max: 1e7, noNaN: true }), (a, b) => {
        if (a <= b) expect(bucketOf(a)).toBeLessThanOrEqual(bucketOf(b));
      }),
    );
  });
});

describe('latency histogram quantiles', () => {
  it('reads nearest-rank percentiles within 1.6 % of the true values', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0.1, max: 600_000, noNaN: true }), { minLength: 1, maxLength: 500 }), (values) => {
        const h: Histogram = new Map();
        for (const v of values) record(h, v);
        const sorted = [...values].sort((a, b) => a - b);
        for (const q of [0.5, 0.9, 0.99, 1]) {
          const truth = sorted[Math.ceil(q * sorted.length) - 1];
          const read = quantile(h, q)!;
          expect(Math.abs(read - truth) / truth).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR + 1e-3);
        }
      }),
    );
  });

  it('is null when empty, and capped at the true maximum when given', () => {
    expect(quantile(new Map(), 0.5)).toBeNull();
    const h: Histogram = new Map();
    record(h, 99); // its bucket is [98.304, 100.352), read as 99.328
    expect(quantile(h, 1)).toBeCloseTo(99.328, 9);
    expect(quantile(h, 1, 99)).toBe(99);
  });

  it('refuses a quantile outside (0, 1]', () => {
    expect(() => quantile(new Map(), 0)).toThrow(RangeError);
    expect(() => quantile(new Map(), 1.5)).toThrow(RangeError);
  });

  it('merges by adding counts, and survives its jsonb form', () => {
    const a: Histogram = new Map();
    const b: Histogram = new Map();
    [1, 2, 2, 50].forEach((v) => record(a, v));
    [2, 300].forEach((v) => record(b, v));
    mergeInto(a, b);
    expect(countOf(a)).toBe(6);
    expect(a.get(bucketOf(2))).toBe(3);
    expect(fromJson(JSON.parse(JSON.stringify(toJson(a))))).toEqual(a);
    expect(() => fromJson({ x: 1 })).toThrow(/not a histogram entry/);
  });
});
