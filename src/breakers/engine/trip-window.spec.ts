import fc from 'fast-check';
import { BreakerConfigPatch, resolveConfig, TripPolicy } from './breaker-config';
import { TripWindow } from './breaker-snapshot';
import { addToWindow, bucketOf, windowCountsAt, windowInfo, windowTrips } from './trip-window';

/** 10 s in 10 buckets of 1 s: bucket b covers [b × 1000, (b + 1) × 1000). */
const config = (patch: BreakerConfigPatch = {}) =>
  resolveConfig({ tripOn: TripPolicy.FAILURE_RATE, windowMs: 10_000, windowBuckets: 10, ...patch });

const T0 = 1_000_000; // the start of bucket 1000

function deepFreeze<V>(value: V): V {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

type Outcome = { at: number; failed?: boolean; slow?: boolean; now?: number };

/** Adds outcomes one by one (each at `now`, defaulting to its own time); fails the test if one is refused. */
function fill(cfg: ReturnType<typeof config>, outcomes: Outcome[], start: TripWindow | null = null): TripWindow {
  let w = start;
  for (const o of outcomes) {
    const next = addToWindow(
      w === null ? null : deepFreeze(w),
      cfg,
      o.at,
      o.now ?? o.at,
      o.failed ?? false,
      o.slow ?? false,
    );
    expect(next).not.toBeNull();
    w = next;
  }
  return w!;
}

/** The window's buckets oldest first, newest last, as [calls, failures, slowCalls]. */
function buckets(w: TripWindow): [number, number, number][] {
  const older = w.olderCalls.map((c, i): [number, number, number] => [c, w.olderFailures[i], w.olderSlowCalls[i]]);
  return [...older, [w.headCalls, w.headFailures, w.headSlowCalls]];
}

describe('bucketOf', () => {
  it('is floor(t × windowBuckets / windowMs): a time exactly on a boundary starts the new bucket', () => {
    const cfg = config();
    expect(bucketOf(T0 - 1, cfg)).toBe(999);
    expect(bucketOf(T0, cfg)).toBe(1000);
    expect(bucketOf(T0 + 999, cfg)).toBe(1000);
    expect(bucketOf(T0 + 1000, cfg)).toBe(1001);
    expect(bucketOf(0, cfg)).toBe(0);
  });

  it('is exact where windowMs / windowBuckets is no whole number', () => {
    // 7000 ms in 6 buckets: 17500 ms is exactly the start of bucket 15, where floor(17500 / 1166.66…) gives 14
    const cfg = config({ windowMs: 7000, windowBuckets: 6 });
    expect(bucketOf(17_500, cfg)).toBe(15);
    expect(bucketOf(17_499, cfg)).toBe(14);
    expect(bucketOf(70_000, cfg)).toBe(60);
    expect(bucketOf(69_999, cfg)).toBe(59);
    const thirds = config({ windowMs: 1000, windowBuckets: 3 });
    expect([333, 334, 666, 667, 999, 1000].map((t) => bucketOf(t, thirds))).toEqual([0, 1, 1, 2, 2, 3]);
  });

  it('equals exact integer division for any time and window shape, boundaries above all', () => {
    const shape = fc.record({
      windowMs: fc.integer({ min: 1000, max: 3_600_000 }),
      windowBuckets: fc.integer({ min: 1, max: 60 }),
    });
    const exact = (t: number, w: number, b: number) => Number((BigInt(t) * BigInt(b)) / BigInt(w));
    fc.assert(
      fc.property(shape, fc.integer({ min: 0, max: 2 ** 42 }), fc.integer({ min: -1, max: 1 }), (c, t, nudge) => {
        const cfg = config(c);
        expect(bucketOf(t, cfg)).toBe(exact(t, c.windowMs, c.windowBuckets));
        // the boundary nearest t, and a millisecond either side
        const k = exact(t, c.windowMs, c.windowBuckets);
        const edge = Math.ceil((k * c.windowMs) / c.windowBuckets) + nudge;
        if (edge >= 0) expect(bucketOf(edge, cfg)).toBe(exact(edge, c.windowMs, c.windowBuckets));
      }),
      { numRuns: 2000 },
    );
  });

  it('floors times before the epoch and fractional times too', () => {
    const cfg = config();
    expect(bucketOf(-1, cfg)).toBe(-1);
    expect(bucketOf(-1000, cfg)).toBe(-1);
    expect(bucketOf(-1001, cfg)).toBe(-2);
    expect(bucketOf(T0 + 999.9, cfg)).toBe(1000);
  });
});

describe('addToWindow', () => {
  it('starts an empty window at the bucket of the outcome, or of now if later', () => {
    const cfg = config();
    const w = addToWindow(null, cfg, T0 + 10, T0 + 10, true, false)!;
    expect(w).toEqual({
      head: 1000,
      calls: 1,
      failures: 1,
      slowCalls: 0,
      headCalls: 1,
      headFailures: 1,
      headSlowCalls: 0,
      olderCalls: [0, 0, 0, 0, 0, 0, 0, 0, 0],
      olderFailures: [0, 0, 0, 0, 0, 0, 0, 0, 0],
      olderSlowCalls: [0, 0, 0, 0, 0, 0, 0, 0, 0],
    });
    // reported 2.5 s later: the newest bucket is now's, and the outcome lands two buckets back
    const late = addToWindow(null, cfg, T0 + 10, T0 + 2500, false, true)!;
    expect(late.head).toBe(1002);
    expect(buckets(late).slice(-3)).toEqual([
      [1, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    expect([late.calls, late.failures, late.slowCalls]).toEqual([1, 0, 1]);
  });

  it('an outcome in the newest bucket copies no array', () => {
    const cfg = config();
    const w = fill(cfg, [{ at: T0 }]);
    const next = addToWindow(w, cfg, T0 + 500, T0 + 500, true, true)!;
    expect(next.olderCalls).toBe(w.olderCalls);
    expect(next.olderFailures).toBe(w.olderFailures);
    expect(next.olderSlowCalls).toBe(w.olderSlowCalls);
    expect([next.calls, next.failures, next.slowCalls, next.headCalls]).toEqual([2, 1, 1, 2]);
  });

  it('an outcome exactly on a boundary opens the next bucket', () => {
    const cfg = config();
    const w = fill(cfg, [{ at: T0 + 999, failed: true }, { at: T0 + 1000 }]);
    expect(w.head).toBe(1001);
    expect(buckets(w).slice(-2)).toEqual([
      [1, 1, 0],
      [1, 0, 0],
    ]);
  });

  it('the oldest bucket drops out whole, at its end and not before', () => {
    const cfg = config();
    // two outcomes in bucket 1000, at its start and at its end
    const w = fill(cfg, [{ at: T0, failed: true }, { at: T0 + 999, failed: true }, { at: T0 + 5000 }]);
    expect([w.calls, w.failures]).toEqual([3, 2]);
    // at T0 + 9999 (bucket 1009) bucket 1000 is the oldest of the ten: both still count
    const still = addToWindow(w, cfg, T0 + 9999, T0 + 9999, false, false)!;
    expect([still.calls, still.failures]).toEqual([4, 2]);
    expect(buckets(still)[0]).toEqual([2, 2, 0]);
    // at T0 + 10000 (bucket 1010) it has dropped out, both outcomes at once, though one was only 9001 ms old
    const gone = addToWindow(still, cfg, T0 + 10_000, T0 + 10_000, false, false)!;
    expect(gone.head).toBe(1010);
    expect([gone.calls, gone.failures]).toEqual([3, 0]);
    expect(buckets(gone)[0]).toEqual([0, 0, 0]);
    // buckets 1001 … 1010: the outcomes at T0 + 5000, T0 + 9999 and T0 + 10000
    expect(buckets(gone).map((b) => b[0])).toEqual([0, 0, 0, 0, 1, 0, 0, 0, 1, 1]);
  });

  it('moving several buckets at once, or past the whole window, drops exactly what left', () => {
    const cfg = config({ windowBuckets: 4, windowMs: 4000 });
    const w = fill(cfg, [
      { at: T0, failed: true }, // bucket 1000
      { at: T0 + 1000, slow: true }, // 1001
      { at: T0 + 2000, failed: true, slow: true }, // 1002
      { at: T0 + 3000 }, // 1003
    ]);
    expect(buckets(w)).toEqual([
      [1, 1, 0],
      [1, 0, 1],
      [1, 1, 1],
      [1, 0, 0],
    ]);
    const two = addToWindow(w, cfg, T0 + 5000, T0 + 5000, false, false)!; // 1005: 1000 and 1001 leave
    expect(buckets(two)).toEqual([
      [1, 1, 1],
      [1, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect([two.calls, two.failures, two.slowCalls]).toEqual([3, 1, 1]);
    const far = addToWindow(two, cfg, T0 + 60_000, T0 + 60_000, true, false)!;
    expect(buckets(far)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 0],
    ]);
    expect([far.head, far.calls, far.failures, far.slowCalls]).toEqual([1060, 1, 1, 0]);
  });

  it('adds a late outcome to its own bucket while that is still in the window, copying only what changes', () => {
    const cfg = config({ windowBuckets: 4, windowMs: 4000 });
    const w = fill(cfg, [{ at: T0 + 3000 }]); // head 1003
    const late = addToWindow(w, cfg, T0 + 500, T0 + 3100, true, false)!; // bucket 1000, the oldest still in
    expect(late.head).toBe(1003);
    expect(buckets(late)).toEqual([
      [1, 1, 0],
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(late.olderSlowCalls).toBe(w.olderSlowCalls);
    expect(late.olderCalls).not.toBe(w.olderCalls);
    expect(w.olderCalls).toEqual([0, 0, 0]);
  });

  it('refuses an outcome whose bucket has left the window: null, and the window is left as it was', () => {
    const cfg = config({ windowBuckets: 4, windowMs: 4000 });
    const w = deepFreeze(fill(cfg, [{ at: T0 + 3000 }])); // head 1003: the window is buckets 1000–1003
    expect(addToWindow(w, cfg, T0 - 1, T0 + 3000, true, false)).toBeNull(); // bucket 999
    // the newest is the later of the head and now: now at 1004 pushes bucket 1000 out
    expect(addToWindow(w, cfg, T0 + 500, T0 + 4000, true, false)).toBeNull();
    expect(addToWindow(w, cfg, T0 + 1000, T0 + 4000, true, false)).not.toBeNull();
    // and a head ahead of now (an outcome from a clock ahead) keeps the window where it is
    expect(addToWindow(w, cfg, T0 + 100, T0, true, false)!.head).toBe(1003);
    // an empty window refuses too, when now is a whole window past the outcome
    expect(addToWindow(null, cfg, T0, T0 + 4000, true, false)).toBeNull();
  });

  it('with a single bucket, every move of the head empties the window', () => {
    const cfg = config({ windowBuckets: 1, windowMs: 1000 });
    const w = fill(cfg, [{ at: T0, failed: true }, { at: T0 + 999 }]);
    expect(w).toMatchObject({ head: 1000, calls: 2, failures: 1, olderCalls: [] });
    const next = addToWindow(w, cfg, T0 + 1000, T0 + 1000, false, false)!;
    expect(next).toMatchObject({ head: 1001, calls: 1, failures: 0, headCalls: 1, olderCalls: [] });
    expect(addToWindow(next, cfg, T0 + 999, T0 + 1000, true, false)).toBeNull();
  });
});

describe('windowTrips', () => {
  const window = (calls: number, failures: number, slowCalls: number): TripWindow => ({
    head: 0,
    calls,
    failures,
    slowCalls,
    headCalls: calls,
    headFailures: failures,
    headSlowCalls: slowCalls,
    olderCalls: [],
    olderFailures: [],
    olderSlowCalls: [],
  });

  it('needs minimumCalls: exactly at the threshold it may trip, one below never', () => {
    const cfg = config({ minimumCalls: 5, failureRateThreshold: 50 });
    expect(windowTrips(window(4, 4, 0), cfg)).toBe(false);
    expect(windowTrips(window(5, 3, 0), cfg)).toBe(true);
    expect(windowTrips(window(5, 2, 0), cfg)).toBe(false);
  });

  it('trips at a failure rate exactly at its threshold, without rounding', () => {
    expect(windowTrips(window(10, 5, 0), config({ minimumCalls: 1, failureRateThreshold: 50 }))).toBe(true);
    expect(windowTrips(window(10, 4, 0), config({ minimumCalls: 1, failureRateThreshold: 50 }))).toBe(false);
    // 1 in 3 is 33.33… %: above 33.3, below 33.34
    expect(windowTrips(window(3, 1, 0), config({ minimumCalls: 1, failureRateThreshold: 33.3 }))).toBe(true);
    expect(windowTrips(window(3, 1, 0), config({ minimumCalls: 1, failureRateThreshold: 33.34 }))).toBe(false);
    // 57 of 100 at 57 %: 57 / 100 × 100 is 56.99999999999999 in floating point; 57 × 100 ≥ 57 × 100 is exact
    expect((57 / 100) * 100).toBeLessThan(57);
    expect(windowTrips(window(100, 57, 0), config({ minimumCalls: 1, failureRateThreshold: 57 }))).toBe(true);
    expect(windowTrips(window(1, 1, 0), config({ minimumCalls: 1, failureRateThreshold: 100 }))).toBe(true);
    expect(windowTrips(window(100, 99, 0), config({ minimumCalls: 1, failureRateThreshold: 100 }))).toBe(false);
  });

  it('trips on the slow-call rate only with slowCallDurationMs set', () => {
    const on = config({ minimumCalls: 4, slowCallDurationMs: 100, slowCallRateThreshold: 75 });
    expect(windowTrips(window(4, 0, 3), on)).toBe(true);
    expect(windowTrips(window(4, 0, 2), on)).toBe(false);
    expect(windowTrips(window(3, 0, 3), on)).toBe(false);
    const off = config({ minimumCalls: 4, slowCallRateThreshold: 75 });
    expect(windowTrips(window(4, 0, 4), off)).toBe(false);
  });
});

describe('windowInfo and windowCountsAt', () => {
  it('windowInfo reports the counts, the rates in percent and the thresholds', () => {
    const cfg = config({
      minimumCalls: 3,
      failureRateThreshold: 60,
      slowCallDurationMs: 50,
      slowCallRateThreshold: 90,
    });
    const w = fill(cfg, [{ at: T0, failed: true }, { at: T0 + 1, failed: true, slow: true }, { at: T0 + 2 }]);
    expect(windowInfo(w, cfg)).toEqual({
      calls: 3,
      failures: 2,
      slowCalls: 1,
      failureRate: 200 / 3,
      slowCallRate: 100 / 3,
      minimumCalls: 3,
      failureRateThreshold: 60,
      slowCallRateThreshold: 90,
    });
  });

  it('windowCountsAt leaves out what has dropped out by now, without changing the window', () => {
    const cfg = config({ windowBuckets: 4, windowMs: 4000 });
    const w = deepFreeze(
      fill(cfg, [
        { at: T0, failed: true },
        { at: T0 + 2000, slow: true },
      ]),
    );
    expect(windowCountsAt(w, cfg, T0 + 2000)).toEqual({ calls: 2, failures: 1, slowCalls: 1 });
    expect(windowCountsAt(w, cfg, T0 + 4000)).toEqual({ calls: 1, failures: 0, slowCalls: 1 });
    expect(windowCountsAt(w, cfg, T0 + 6000)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
    expect(windowCountsAt(w, cfg, T0 - 5000)).toEqual({ calls: 2, failures: 1, slowCalls: 1 });
    expect(windowCountsAt(null, cfg, T0)).toEqual({ calls: 0, failures: 0, slowCalls: 0 });
  });
});
