/**
 * A latency histogram with bounded relative error, in the manner of HdrHistogram: durations are
 * counted in microseconds, each in the bucket of its whole microseconds (floored, so that a
 * fractional duration lies inside its bucket); below 64 µs each microsecond has its own bucket,
 * and above, every power of two is split into 32 equal buckets. A bucket is thus at most 1/32
 * (3.1 %) of its lower bound wide, and a percentile read as the bucket's midpoint is within
 * 1/64 (1.6 %) of the true value from 64 µs up; below, within 1 µs.
 *
 * A histogram is a sparse map from bucket index to count: a minute of one breaker's calls
 * mostly fills a few dozen buckets. Stored as jsonb `{ "<index>": count }`, merged by adding the
 * counts of equal indices (in SQL, set-based; see the stats store).
 */
export type Histogram = Map<number, number>;

/** Sub-buckets per power of two. */
const SUB_BITS = 5;
const SUB = 1 << SUB_BITS; // 32
/** Below this many microseconds, each value is its own bucket. */
const LINEAR = 2 * SUB; // 64

/** The largest relative error of a value read back from its bucket (the midpoint): 1/64. */
export const HISTOGRAM_RELATIVE_ERROR = 1 / (2 * SUB);

/** The bucket index of a duration in milliseconds (finite, ≥ 0). */
export function bucketOf(durationMs: number): number {
  // Floored, not rounded: rounding moved a duration up to half a microsecond out of its bucket,
  // which at 64–256 µs broke the 1/64 bound. The epsilon keeps 1.005 × 1000 = 1004.999… at 1005.
  const us = Math.floor(durationMs * 1000 + 1e-6);
  if (us < LINEAR) return us;
  const exponent = floorLog2(us); // ≥ 6
  const shift = exponent - SUB_BITS;
  const mantissa = Math.floor(us / 2 ** shift); // 32..63
  return LINEAR + (exponent - SUB_BITS - 1) * SUB + (mantissa - SUB);
}

/** The bucket's range in milliseconds: [low, high). */
export function bucketRange(index: number): { low: number; high: number } {
  if (index < LINEAR) return { low: index / 1000, high: (index + 1) / 1000 };
  const octave = Math.floor((index - LINEAR) / SUB); // 0 for 64..127 µs
  const mantissa = SUB + ((index - LINEAR) % SUB);
  const width = 2 ** (octave + 1);
  return { low: (mantissa * width) / 1000, high: ((mantissa + 1) * width) / 1000 };
}

/** The value a bucket stands for: its midpoint (its exact value below 64 µs). */
export function bucketValue(index: number): number {
  if (index < LINEAR) return index / 1000;
  const { low, high } = bucketRange(index);
  return (low + high) / 2;
}

/** Adds one duration to a histogram, in place. */
export function record(histogram: Histogram, durationMs: number): void {
  const index = bucketOf(durationMs);
  histogram.set(index, (histogram.get(index) ?? 0) + 1);
}

/** Adds `from`'s counts into `into`, in place. */
export function mergeInto(into: Histogram, from: Histogram): void {
  for (const [index, count] of from) into.set(index, (into.get(index) ?? 0) + count);
}

/** The total count. */
export function countOf(histogram: Histogram): number {
  let n = 0;
  for (const count of histogram.values()) n += count;
  return n;
}

/**
 * The q-quantile (0 < q ≤ 1) by nearest rank: the value of the bucket holding the ⌈q·n⌉-th
 * smallest duration, never above `maxMs` when given (the true maximum). Null for an empty histogram.
 */
export function quantile(histogram: Histogram, q: number, maxMs?: number | null): number | null {
  if (!(q > 0 && q <= 1)) throw new RangeError(`quantile must be in (0, 1], got ${q}`);
  const total = countOf(histogram);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil(q * total));
  const indices = [...histogram.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const index of indices) {
    seen += histogram.get(index)!;
    if (seen >= rank) {
      const value = bucketValue(index);
      return maxMs === undefined || maxMs === null ? value : Math.min(value, maxMs);
    }
  }
  return bucketValue(indices[indices.length - 1]);
}

/** The jsonb form: `{ "<index>": count }`. */
export function toJson(histogram: Histogram): Record<string, number> {
  const json: Record<string, number> = {};
  for (const [index, count] of histogram) json[index] = count;
  return json;
}

/** Reads the jsonb form back; throws on anything that is not a map of whole indices to counts. */
export function fromJson(json: Record<string, number | string>): Histogram {
  const histogram: Histogram = new Map();
  for (const [key, value] of Object.entries(json)) {
    const index = Number(key);
    const count = Number(value);
    if (!Number.isInteger(index) || index < 0 || !Number.isFinite(count) || count < 0) {
      throw new Error(`not a histogram entry: ${key}: ${value}`);
    }
    if (count > 0) histogram.set(index, (histogram.get(index) ?? 0) + count);
  }
  return histogram;
}

function floorLog2(n: number): number {
  if (n < 2 ** 31) return 31 - Math.clz32(n);
  let e = Math.floor(Math.log2(n));
  // Math.log2 may round across an integer boundary for large n: correct it exactly.
  while (2 ** e > n) e--;
  while (2 ** (e + 1) <= n) e++;
  return e;
}
