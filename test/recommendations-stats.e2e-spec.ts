import { DataSource } from 'typeorm';
import { ceilReadable } from '../src/analytics/recommendations/format';
import { HISTOGRAM_RELATIVE_ERROR, Histogram, quantile, record, toJson } from '../src/stats/latency-histogram';
import { gqlOk, useTestApp } from './support/test-app';

const DAY_MS = 86_400_000;
const MIN = 60_000;
const HOUR = 3_600_000;

interface Rec {
  breakerName: string;
  kind: string;
  severity: string;
  message: string;
  suggestedConfig: Record<string, number | string> | null;
  evidence: Record<string, number | string | null>;
}

/** One engineered breaker-minute, as the write path would have stored it. */
interface Minute {
  /** Minutes before now (0: this minute). */
  readonly ago: number;
  readonly calls: number;
  readonly failures: number;
  readonly slowCalls?: number;
  /** The durations of the minute's timed calls (the other calls carried none). */
  readonly durations?: readonly number[];
}

/** `count` durations spread evenly over [from, to]. */
function spread(count: number, from: number, to: number): number[] {
  return Array.from({ length: count }, (_, i) => (count === 1 ? from : from + ((to - from) * i) / (count - 1)));
}

/** `n` minutes, the most recent first, all alike. */
function minutes(n: number, minute: Omit<Minute, 'ago'>, fromAgo = 0): Minute[] {
  return Array.from({ length: n }, (_, i) => ({ ...minute, ago: fromAgo + i }));
}

/** The true nearest-rank quantile of raw durations, to hold the histogram's answer against. */
function trueQuantile(durations: readonly number[], q: number): number {
  const sorted = [...durations].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

/**
 * The two new kinds end to end: engineered per-minute statistics are written straight into
 * outcome_buckets (the write path's own tests cover how they get there), the report is recomputed,
 * and the advice is read over GraphQL. This exercises the facts statement (the histogram merge and
 * percentile, the per-minute ratios, the window) on whichever database the run uses.
 */
describe('SLOW_CALLS and USE_FAILURE_RATE from the statistics (e2e)', () => {
  const fixture = useTestApp({ env: { HEALTH_RECOMPUTE_INTERVAL_MS: String(DAY_MS) } });
  let db: DataSource;
  let recs: Rec[];
  /** The minute the buckets are written relative to. */
  const thisMinute = Math.floor(Date.now() / MIN) * MIN;

  const register = (name: string) =>
    gqlOk(fixture.app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
      i: { name, config: { failureThreshold: 5 } },
    });

  /** Sets the issue-11 settings in the row; the registration input may not carry them yet on every branch. */
  const configure = (name: string, set: { tripOn?: string; slowCallDurationMs?: number }) =>
    db.query(
      `UPDATE breakers SET trip_on = coalesce($2, trip_on), slow_call_duration_ms = coalesce($3, slow_call_duration_ms)
       WHERE name = $1`,
      [name, set.tripOn ?? null, set.slowCallDurationMs ?? null],
    );

  /** Writes a breaker's minutes in one statement, histograms in the stored jsonb form. */
  const write = async (name: string, rows: readonly Minute[]) => {
    const records = rows.map((m) => {
      const histogram: Histogram = new Map();
      for (const d of m.durations ?? []) record(histogram, d);
      return {
        at: new Date(thisMinute - m.ago * MIN).toISOString(),
        calls: m.calls,
        failures: m.failures,
        slow_calls: m.slowCalls ?? 0,
        latency: toJson(histogram),
        max_ms: m.durations?.length ? Math.max(...m.durations) : null,
      };
    });
    await db.query(
      `INSERT INTO outcome_buckets (breaker_id, bucket_start, calls, failures, slow_calls, max_ms)
       SELECT b.id, r.at, r.calls, r.failures, r.slow_calls, r.max_ms
       FROM jsonb_to_recordset($2::jsonb) AS r(at timestamptz, calls int, failures int, slow_calls int, max_ms float8)
       JOIN breakers b ON b.name = $1`,
      [name, JSON.stringify(records)],
    );
    await db.query(
      `INSERT INTO outcome_latency (breaker_id, bucket_start, latency)
       SELECT b.id, r.at, r.latency
       FROM jsonb_to_recordset($2::jsonb) AS r(at timestamptz, latency jsonb)
       JOIN breakers b ON b.name = $1
       WHERE r.latency <> '{}'::jsonb`,
      [name, JSON.stringify(records)],
    );
  };

  const recsOf = (name: string) => recs.filter((r) => r.breakerName === name);
  const only = (name: string, kind: string): Rec => {
    const found = recsOf(name);
    expect(found.map((r) => r.kind)).toEqual([kind]);
    return found[0];
  };
  const histogramOf = (durations: readonly number[]): Histogram => {
    const h: Histogram = new Map();
    for (const d of durations) record(h, d);
    return h;
  };

  // s.tail: slowCallDurationMs unset, 60 minutes of 47 calls at 30–50 ms and 3 at 880–940 ms.
  const tailMinute = { calls: 50, failures: 0, durations: [...spread(47, 30, 50), ...spread(3, 880, 940)] };
  const tailDurations = Array.from({ length: 60 }, () => tailMinute.durations).flat();
  // s.over: slowCallDurationMs 500; 4 minutes of 60 calls, 50 of them timed: 47 at 100–120 ms, 3 at 700 ms.
  const overMinute = {
    calls: 60,
    failures: 1,
    slowCalls: 3,
    durations: [...spread(47, 100, 120), 700, 700, 700],
  };
  const overDurations = Array.from({ length: 4 }, () => overMinute.durations).flat();

  // r.*: per-minute counts for USE_FAILURE_RATE. Normal minutes fail 12.5 % of 120 calls.
  const normal = { calls: 120, failures: 15 };
  const unnoticed: Minute[] = [
    ...minutes(58, normal, 2),
    { ago: 0, calls: 40, failures: 25 }, // 62.5 % of a busy minute
    { ago: 1, calls: 10, failures: 10 }, // 100 %, but too few calls to count
  ];

  beforeAll(async () => {
    db = fixture.app.app.get(DataSource);
    const names = ['s.tail', 's.over', 's.few', 's.flat', 'r.unnoticed', 'r.rate', 'r.quiet', 'r.19', 'r.20'];
    for (const name of names) await register(name);
    await configure('s.over', { slowCallDurationMs: 500 });
    await configure('r.rate', { tripOn: 'FAILURE_RATE' });

    await write('s.tail', minutes(60, tailMinute));
    await write('s.over', minutes(4, overMinute));
    // 99 timed calls with a long tail in the window; the 500 before it do not count.
    await write('s.few', [
      { ago: 0, calls: 99, failures: 0, durations: [...spread(90, 10, 20), ...spread(9, 2000, 3000)] },
      { ago: 90, calls: 500, failures: 0, durations: [...spread(450, 10, 20), ...spread(50, 2000, 3000)] },
    ]);
    // p99 well under 5 × p50: a spread, not a tail.
    await write('s.flat', minutes(10, { calls: 100, failures: 0, durations: spread(100, 100, 300) }));

    await write('r.unnoticed', unnoticed);
    await write('r.rate', unnoticed);
    // The same shape at 915 calls an hour; three hours ago it was busy and failing, outside the window.
    await write('r.quiet', [
      ...minutes(59, { calls: 15, failures: 2 }, 1),
      { ago: 0, calls: 30, failures: 20 },
      { ago: 180, calls: 5000, failures: 4000 },
    ]);
    // 59 minutes of 20 calls at 5 %, and one minute at 100 % of 19 calls (too few) or 50 % of 20 (enough).
    await write('r.19', [...minutes(59, { calls: 20, failures: 1 }, 1), { ago: 0, calls: 19, failures: 19 }]);
    await write('r.20', [...minutes(59, { calls: 20, failures: 1 }, 1), { ago: 0, calls: 20, failures: 10 }]);

    const { recomputeHealth } = await gqlOk(
      fixture.app,
      `mutation { recomputeHealth { recommendations { breakerName kind severity message suggestedConfig evidence } } }`,
    );
    recs = recomputeHealth.recommendations;
  });

  it('SLOW_CALLS: a slow tail with slowCallDurationMs unset, with the p99 rounded up as the suggestion', () => {
    const r = only('s.tail', 'SLOW_CALLS');
    const merged = histogramOf(tailDurations);
    const p50 = quantile(merged, 0.5, 940)!;
    const p99 = quantile(merged, 0.99, 940)!;
    // The statement's percentiles are the histogram's, and within its error of the true ones.
    expect(r.evidence).toEqual({
      p50Ms: p50,
      p99Ms: p99,
      maxMs: 940,
      timedCalls: 3000,
      windowMs: HOUR,
      slowCallDurationMs: null,
      p99ToP50: p99 / p50,
      tailFactor: 5,
      tailMinMs: 100,
    });
    expect(Math.abs(p50 - trueQuantile(tailDurations, 0.5)) / trueQuantile(tailDurations, 0.5)).toBeLessThanOrEqual(
      HISTOGRAM_RELATIVE_ERROR,
    );
    // Rank 2970 of 3000 falls among the slow calls (2820 fast ones), in the 880–940 ms range.
    expect(p99).toBeGreaterThan(880 * (1 - HISTOGRAM_RELATIVE_ERROR));
    expect(p99).toBeLessThanOrEqual(940);
    expect(r.severity).toBe('INFO');
    expect(r.suggestedConfig).toEqual({ slowCallDurationMs: ceilReadable(p99) });
    expect([900, 910, 920, 930, 940]).toContain(ceilReadable(p99));
    expect(r.message).toContain('"s.tail" has a slow tail that nothing counts');
    expect(r.message).toContain(`Set slowCallDurationMs to ${ceilReadable(p99)} (the p99, rounded up)`);
    expect(r.message).toContain('over 3000 timed calls in the last 1 h');
  });

  it('SLOW_CALLS: p99 above a set slowCallDurationMs, counting timed calls only', () => {
    const r = only('s.over', 'SLOW_CALLS');
    const merged = histogramOf(overDurations);
    const p99 = quantile(merged, 0.99, 700)!;
    // Rank 198 of 200 falls among the twelve 700 ms calls (188 are faster).
    expect(Math.abs(p99 - 700) / 700).toBeLessThanOrEqual(HISTOGRAM_RELATIVE_ERROR);
    expect(r.severity).toBe('WARNING');
    expect(r.evidence).toEqual({
      p50Ms: quantile(merged, 0.5, 700),
      p99Ms: p99,
      maxMs: 700,
      timedCalls: 200,
      windowMs: HOUR,
      slowCalls: 12,
      slowCallRatio: 0.06,
      slowCallDurationMs: 500,
    });
    expect(r.suggestedConfig).toEqual({ slowCallDurationMs: 700 });
    expect(r.message).toContain('above slowCallDurationMs 500');
    expect(r.message).toContain('12 of them (6%) were slow');
  });

  it('SLOW_CALLS stays quiet below 100 timed calls in the window, and for a spread without a tail', () => {
    expect(recsOf('s.few')).toEqual([]);
    expect(recsOf('s.flat')).toEqual([]);
  });

  it('USE_FAILURE_RATE: a busy minute at 62.5 % that never tripped it, with a config from its own minutes', () => {
    const r = only('r.unnoticed', 'USE_FAILURE_RATE');
    expect(r.severity).toBe('WARNING');
    // Median minute: 12.5 % of 120 calls, so 2 × 12.5 % = 25 % and 120 / 6 = 20 calls.
    expect(r.suggestedConfig).toEqual({
      tripOn: 'FAILURE_RATE',
      failureRateThreshold: 25,
      minimumCalls: 20,
      windowMs: 60_000,
    });
    expect(r.evidence).toEqual({
      reason: 'FAILURES_UNNOTICED',
      callsPerHour: 58 * 120 + 40 + 10,
      calls: 58 * 120 + 40 + 10,
      failures: 58 * 15 + 25 + 10,
      failureRatio: (58 * 15 + 35) / (58 * 120 + 50),
      maxMinuteFailureRatio: 0.625,
      medianMinuteFailureRatio: 0.125,
      medianMinuteCalls: 120,
      activeMinutes: 60,
      openingsFromClosed: 0,
      failureThreshold: 5,
      windowMs: HOUR,
    });
    expect(r.message).toContain('"r.unnoticed" takes 7010 calls an hour in CONSECUTIVE_FAILURES mode');
    expect(r.message).toContain('failed 62.5% of the calls in its worst minute (of at least 20 calls)');
  });

  it('USE_FAILURE_RATE needs a minute of 20 calls: 19 at 100 % is not enough, 20 at 50 % is', () => {
    expect(recsOf('r.19')).toEqual([]);
    const r = only('r.20', 'USE_FAILURE_RATE');
    expect(r.evidence).toMatchObject({ maxMinuteFailureRatio: 0.5, calls: 1200, medianMinuteFailureRatio: 0.05 });
    expect(r.suggestedConfig).toEqual({
      tripOn: 'FAILURE_RATE',
      failureRateThreshold: 20,
      minimumCalls: 10,
      windowMs: 60_000,
    });
  });

  it('USE_FAILURE_RATE stays quiet below 1000 calls an hour (old buckets do not count), and in FAILURE_RATE mode', () => {
    expect(recsOf('r.quiet')).toEqual([]);
    expect(recsOf('r.rate')).toEqual([]);
  });
});
