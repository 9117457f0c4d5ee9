import { BreakerConfig } from './breaker-config';
import { TripWindow } from './breaker-snapshot';

/*
 * FAILURE_RATE's sliding window, as pure functions over the plain `TripWindow` data.
 *
 * The window is `windowBuckets` buckets of `windowMs / windowBuckets` each. The newest bucket
 * (`head`) only ever moves forward; a bucket `windowBuckets` or more behind it has dropped out
 * whole. The counts of the newest bucket are kept apart from the older ones, and running totals
 * are kept over all of them: an outcome landing in the newest bucket (nearly every one) makes one
 * small object and copies no array, and a trip check reads three numbers. Moving the head copies
 * the older buckets, at most once per bucket length, so the cost is O(1) amortised.
 */

/**
 * The bucket of time `t`: ⌊t × windowBuckets / windowMs⌋. Exact, so that a time exactly on a
 * boundary starts the new bucket even when `windowMs / windowBuckets` is not a whole number: the
 * product is exact for any time in range, and a quotient by a whole number, rounded to nearest,
 * never reaches the next integer (it stays more than half an ulp short). Dividing by the bucket
 * length instead would not be: that length is itself rounded (7000 ms in 6 buckets puts 17500,
 * the start of bucket 15, in bucket 14).
 */
export function bucketOf(t: number, config: BreakerConfig): number {
  return Math.floor((t * config.windowBuckets) / config.windowMs);
}

/**
 * The window with one outcome added, or null when the outcome's bucket is already out of the
 * window (it is not added, and must trigger no check). `window` null is an empty window. The
 * newest bucket becomes that of the latest of the window's head, `now` and `occurredAt`.
 */
export function addToWindow(
  window: TripWindow | null,
  config: BreakerConfig,
  occurredAt: number,
  now: number,
  failed: boolean,
  slow: boolean,
): TripWindow | null {
  const n = config.windowBuckets;
  const bucket = bucketOf(occurredAt, config);
  let head = occurredAt === now ? bucket : Math.max(bucketOf(now, config), bucket);
  if (window !== null && window.head > head) head = window.head;
  if (bucket <= head - n) return null;
  const base = window === null ? emptyWindow(head, n) : head > window.head ? advance(window, head, n) : window;
  const f = failed ? 1 : 0;
  const s = slow ? 1 : 0;
  if (bucket === head) {
    return {
      head,
      calls: base.calls + 1,
      failures: base.failures + f,
      slowCalls: base.slowCalls + s,
      headCalls: base.headCalls + 1,
      headFailures: base.headFailures + f,
      headSlowCalls: base.headSlowCalls + s,
      olderCalls: base.olderCalls,
      olderFailures: base.olderFailures,
      olderSlowCalls: base.olderSlowCalls,
    };
  }
  // An older bucket still in the window (a late report, or a clock behind): copy what changes.
  const i = n - 1 - (head - bucket);
  return {
    head,
    calls: base.calls + 1,
    failures: base.failures + f,
    slowCalls: base.slowCalls + s,
    headCalls: base.headCalls,
    headFailures: base.headFailures,
    headSlowCalls: base.headSlowCalls,
    olderCalls: bump(base.olderCalls, i, 1),
    olderFailures: bump(base.olderFailures, i, f),
    olderSlowCalls: bump(base.olderSlowCalls, i, s),
  };
}

/**
 * Whether the window's counts trip the breaker: calls ≥ `minimumCalls`, and failures × 100 ≥
 * `failureRateThreshold` × calls, or (with `slowCallDurationMs` set) slow calls × 100 ≥
 * `slowCallRateThreshold` × calls. Multiplied out rather than divided, so that a rate exactly
 * at its threshold trips however the quotient would round.
 */
export function windowTrips(window: TripWindow, config: BreakerConfig): boolean {
  const calls = window.calls;
  if (calls < config.minimumCalls) return false;
  if (window.failures * 100 >= config.failureRateThreshold * calls) return true;
  return config.slowCallDurationMs !== null && window.slowCalls * 100 >= config.slowCallRateThreshold * calls;
}

/** The figures a CIRCUIT_OPENED from FAILURE_RATE reports: the window's counts and rates (percent, 0–100). */
export function windowInfo(window: TripWindow, config: BreakerConfig): Record<string, unknown> {
  return {
    calls: window.calls,
    failures: window.failures,
    slowCalls: window.slowCalls,
    failureRate: (window.failures * 100) / window.calls,
    slowCallRate: (window.slowCalls * 100) / window.calls,
    minimumCalls: config.minimumCalls,
    failureRateThreshold: config.failureRateThreshold,
    slowCallRateThreshold: config.slowCallRateThreshold,
  };
}

/**
 * The window's counts as they stand at `now`: buckets that have dropped out by then are left
 * out. For readers (a dashboard's live failure rate); the engine itself only looks at the window
 * when an outcome arrives.
 */
export function windowCountsAt(
  window: TripWindow | null,
  config: BreakerConfig,
  now: number,
): { calls: number; failures: number; slowCalls: number } {
  if (window === null) return { calls: 0, failures: 0, slowCalls: 0 };
  const head = Math.max(window.head, bucketOf(now, config));
  const w = head > window.head ? advance(window, head, config.windowBuckets) : window;
  return { calls: w.calls, failures: w.failures, slowCalls: w.slowCalls };
}

function emptyWindow(head: number, n: number): TripWindow {
  return {
    head,
    calls: 0,
    failures: 0,
    slowCalls: 0,
    headCalls: 0,
    headFailures: 0,
    headSlowCalls: 0,
    olderCalls: zeros(n - 1),
    olderFailures: zeros(n - 1),
    olderSlowCalls: zeros(n - 1),
  };
}

/** The window with its head moved forward to `head`: the buckets passed over drop out whole. */
function advance(w: TripWindow, head: number, n: number): TripWindow {
  const k = head - w.head;
  if (k >= n) return emptyWindow(head, n);
  // The buckets oldest first are older[0 … n-2] then the old head; after the move, bucket i is old bucket i + k.
  let droppedCalls = 0;
  let droppedFailures = 0;
  let droppedSlow = 0;
  for (let i = 0; i < k; i++) {
    droppedCalls += w.olderCalls[i];
    droppedFailures += w.olderFailures[i];
    droppedSlow += w.olderSlowCalls[i];
  }
  return {
    head,
    calls: w.calls - droppedCalls,
    failures: w.failures - droppedFailures,
    slowCalls: w.slowCalls - droppedSlow,
    headCalls: 0,
    headFailures: 0,
    headSlowCalls: 0,
    olderCalls: shifted(w.olderCalls, w.headCalls, k),
    olderFailures: shifted(w.olderFailures, w.headFailures, k),
    olderSlowCalls: shifted(w.olderSlowCalls, w.headSlowCalls, k),
  };
}

/** `older` followed by the old head and k - 1 empty buckets, without its first k: still n - 1 long. */
function shifted(older: readonly number[], oldHead: number, k: number): number[] {
  const m = older.length;
  const out: number[] = [];
  for (let i = k; i < m; i++) out.push(older[i]);
  out.push(oldHead);
  while (out.length < m) out.push(0);
  return out;
}

function bump(values: readonly number[], i: number, by: number): readonly number[] {
  if (by === 0) return values;
  const out = values.slice();
  out[i] += by;
  return out;
}

function zeros(length: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < length; i++) out.push(0);
  return out;
}
