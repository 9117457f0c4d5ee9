import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { inTransaction } from '../src/database/transaction';
import { OutcomeStatsStore } from '../src/stats/outcome-stats.store';
import { RetentionJob } from '../src/maintenance/retention.job';
import { StatsFolder } from '../src/stats/stats-folder';
import { errorCode, eventually, gql, gqlOk, useTestApp } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** On an hour, and on a multiple of 3 minutes since the epoch. */
const T0 = Date.UTC(2031, 0, 1, 12, 0, 0);

interface Outcome {
  breakerName: string;
  success: boolean;
  durationMs?: number | null;
  error?: string | null;
  occurredAt?: string;
}

interface Point {
  at: string;
  calls: number;
  failures: number;
  slowCalls: number;
  failureRate: number | null;
  p50Ms: number | null;
  p90Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

const POINT_FIELDS = 'at calls failures slowCalls failureRate p50Ms p90Ms p99Ms maxMs';
const STATS = `query($n: String!, $s: DateTime, $u: DateTime, $step: Float) {
  breakerStats(breakerName: $n, since: $s, until: $u, stepMs: $step) { ${POINT_FIELDS} } }`;
const ERRORS = `query($n: String!, $s: DateTime, $f: Int) {
  breakerErrors(breakerName: $n, since: $s, first: $f) { message count firstSeenAt lastSeenAt } }`;

/** The nearest-rank q-quantile: the ⌈q·n⌉-th smallest. */
function nearestRank(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(q * sorted.length)) - 1];
}

/** A fixed order that is not the sorted one. */
function shuffled<T>(items: T[]): T[] {
  const out = [...items];
  let seed = 42;
  for (let i = out.length - 1; i > 0; i--) {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = seed % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Statistics kept from every outcome: latency per step, and the most frequent errors per hour. */
describe('statistics (e2e)', () => {
  let now = T0;
  const clock: Clock = { now: () => now };
  const fixture = useTestApp({ clock, env: { RATE_LIMIT_PER_MINUTE: '100000', RETENTION_INTERVAL_MS: '86400000' } });

  const register = (name: string, config: Record<string, unknown> = {}) =>
    gqlOk(fixture.app, `mutation($i: RegisterBreakerInput!) { registerBreaker(input: $i) { name } }`, {
      i: { name, config: { failureThreshold: 10_000, ...config } },
    });
  const record = async (outcomes: Outcome[]) => {
    for (let i = 0; i < outcomes.length; i += 10_000) {
      const { recordOutcomes } = await gqlOk(
        fixture.app,
        `mutation($o: [OutcomeInput!]!) { recordOutcomes(outcomes: $o) { accepted } }`,
        { o: outcomes.slice(i, i + 10_000) },
      );
      expect(recordOutcomes.accepted).toBe(Math.min(10_000, outcomes.length - i));
    }
  };
  const stats = (name: string, vars: { s?: number; u?: number; step?: number } = {}) =>
    gqlOk(fixture.app, STATS, {
      n: name,
      s: vars.s === undefined ? undefined : iso(vars.s),
      u: vars.u === undefined ? undefined : iso(vars.u),
      step: vars.step,
    }).then((d) => d.breakerStats as Point[]);
  const statsError = (vars: Record<string, unknown>) => gql(fixture.app, STATS, { n: 'lat.a', ...vars });
  const errors = (name: string, since?: number, first?: number) =>
    gqlOk(fixture.app, ERRORS, { n: name, s: since === undefined ? undefined : iso(since), f: first }).then(
      (d) => d.breakerErrors as { message: string; count: number; firstSeenAt: string; lastSeenAt: string }[],
    );

  /** Folds every committed part now, as the folder does about once a second. */
  const fold = () => fixture.app.app.get(StatsFolder).tick();
  const sql = (query: string, params: unknown[] = []) => fixture.app.app.get(DataSource).query(query, params);

  const empty = (at: number): Point => ({
    at: iso(at),
    calls: 0,
    failures: 0,
    slowCalls: 0,
    failureRate: null,
    p50Ms: null,
    p90Ms: null,
    p99Ms: null,
    maxMs: null,
  });

  describe('breakerStats', () => {
    // 3,000 durations from 0.2 ms to about 2.4 s, spread over three minutes; every 7th call fails.
    const durations = Array.from({ length: 3000 }, (_, i) => 0.2 * 1.0031 ** i);
    const minuteOf = (i: number) => i % 3;
    const byMinute = [0, 1, 2].map((m) => durations.filter((_, i) => minuteOf(i) === m));

    beforeAll(async () => {
      now = T0 + 3 * MINUTE + 10_000;
      await register('lat.a', { slowCallDurationMs: 1000 });
      const outcomes: Outcome[] = durations.map((d, i) => ({
        breakerName: 'lat.a',
        success: i % 7 !== 0,
        durationMs: d,
        occurredAt: iso(T0 + minuteOf(i) * MINUTE + (i % 60) * 1000),
      }));
      // Calls with no duration count as calls, and leave the percentiles alone.
      for (let i = 0; i < 30; i++) outcomes.push({ breakerName: 'lat.a', success: true, occurredAt: iso(T0 + MINUTE) });
      // Two batches, the shorter calls first, so that each minute's histogram is only right once
      // the database has merged both batches' (either alone would be far off). The first is folded
      // into the minute rows before the second comes, so the fold merges into rows that have some.
      await record(shuffled(outcomes.filter((o) => (o.durationMs ?? 0) < 10)));
      await fold();
      await record(shuffled(outcomes.filter((o) => !((o.durationMs ?? 0) < 10))));
    });

    it('answers percentiles within 5 % of the true nearest-rank values, per minute and over a longer step', async () => {
      // The counts and the max are written by the outcomes' transaction itself; the histograms once folded.
      const unfolded = await stats('lat.a', { s: T0, u: T0 + 3 * MINUTE, step: 3 * MINUTE });
      expect(unfolded[0]).toMatchObject({ calls: 3030, maxMs: Math.max(...durations) });
      await fold();
      const [{ parts }] = await sql(`SELECT count(*)::int AS parts FROM outcome_stat_parts`);
      expect(parts).toBe(0);

      const points = await stats('lat.a', { s: T0, u: T0 + 3 * MINUTE });
      expect(points.map((p) => p.at)).toEqual([0, 1, 2].map((m) => iso(T0 + m * MINUTE)));
      const check = (point: Point, values: number[]) => {
        for (const [q, got] of [
          [0.5, point.p50Ms],
          [0.9, point.p90Ms],
          [0.99, point.p99Ms],
        ] as const) {
          const truth = nearestRank(values, q);
          expect(Math.abs(got! - truth) / truth).toBeLessThan(0.05);
        }
        expect(point.maxMs).toBe(Math.max(...values));
      };
      points.forEach((p, m) => check(p, byMinute[m]));

      const [whole] = await stats('lat.a', { s: T0, u: T0 + 3 * MINUTE, step: 3 * MINUTE });
      check(whole, durations);
      const failures = durations.filter((_, i) => i % 7 === 0).length;
      const slow = durations.filter((d) => d >= 1000).length;
      expect(whole).toMatchObject({ at: iso(T0), calls: 3030, failures, slowCalls: slow });
      expect(whole.failureRate).toBeCloseTo((failures / 3030) * 100, 10);
      expect(points[1].calls).toBe(byMinute[1].length + 30);

      // The minutes' latency rows hold the whole histograms: the calls with a duration, in both batches.
      const rows = await sql(
        `SELECT (SELECT sum(value::bigint) FROM jsonb_each_text(l.latency))::int AS n
         FROM outcome_latency l JOIN breakers b ON b.id = l.breaker_id WHERE b.name = 'lat.a' ORDER BY l.bucket_start`,
      );
      expect(rows.map((r: { n: number }) => r.n)).toEqual([1000, 1000, 1000]);
    });

    it('gives every step a point, with zero counts and null rates and percentiles where nothing happened', async () => {
      const points = await stats('lat.a', { s: T0 - 2 * MINUTE, u: T0 + 5 * MINUTE });
      expect(points).toHaveLength(7);
      expect(points[0]).toEqual(empty(T0 - 2 * MINUTE));
      expect(points[1]).toEqual(empty(T0 - MINUTE));
      expect(points.slice(2, 5).map((p) => p.calls)).toEqual([1000, 1030, 1000]);
      expect(points[5]).toEqual(empty(T0 + 3 * MINUTE));
      expect(points[6]).toEqual(empty(T0 + 4 * MINUTE));

      // Points are aligned to multiples of the step, from the one holding `since` to the one holding the end.
      const aligned = await stats('lat.a', { s: T0 - 90_000, u: T0 + 30_000 });
      expect(aligned.map((p) => p.at)).toEqual([iso(T0 - 2 * MINUTE), iso(T0 - MINUTE), iso(T0)]);

      // Left out: the hour before now, the last point holding now.
      const lastHour = await stats('lat.a');
      expect(lastHour).toHaveLength(61);
      expect(lastHour[0].at).toBe(iso(T0 - 57 * MINUTE));
      expect(lastHour[60]).toEqual(empty(T0 + 3 * MINUTE));
      expect(lastHour.reduce((n, p) => n + p.calls, 0)).toBe(3030);
    });

    it('refuses a step that is not whole minutes, a range that is empty or has more than 1,000 points', async () => {
      for (const step of [90_000, 0, -60_000, 1.5, 400 * DAY]) {
        const result = await statsError({ step });
        expect(errorCode(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].extensions!.field).toBe('stepMs');
      }
      const backwards = await statsError({ s: iso(T0), u: iso(T0) });
      expect(errorCode(backwards)).toBe('BAD_USER_INPUT');
      expect(backwards.errors![0].extensions!.field).toBe('since');

      const tooMany = await statsError({ s: iso(T0 - 1001 * MINUTE), u: iso(T0) });
      expect(errorCode(tooMany)).toBe('BAD_USER_INPUT');
      expect(tooMany.errors![0].extensions!.field).toBe('stepMs');
      expect(tooMany.errors![0].message).toMatch(/1001 points.*larger stepMs/);
      // Exactly 1,000 is fine, and so is the same range at a larger step.
      expect(await stats('lat.a', { s: T0 - 1000 * MINUTE, u: T0 })).toHaveLength(1000);
      expect(await stats('lat.a', { s: T0 - 1001 * MINUTE, u: T0, step: 2 * MINUTE })).toHaveLength(501);

      expect(errorCode(await gql(fixture.app, STATS, { n: 'no.such' }))).toBe('NOT_FOUND');
    });
  });

  describe('occurredAt', () => {
    it('puts each outcome in the minute it occurred in, and one without in the minute of the write', async () => {
      await register('when.a');
      now = T0 + 10 * MINUTE + 5_000;
      await record([
        { breakerName: 'when.a', success: true, durationMs: 10 },
        { breakerName: 'when.a', success: false, durationMs: 20, occurredAt: iso(T0 + 8 * MINUTE + 59_999) },
        { breakerName: 'when.a', success: true, durationMs: 30, occurredAt: iso(now - 5 * HOUR) },
      ]);
      const points = await stats('when.a', { s: T0 + 8 * MINUTE, u: T0 + 11 * MINUTE });
      expect(points.map((p) => [p.at, p.calls, p.failures, p.maxMs])).toEqual([
        [iso(T0 + 8 * MINUTE), 1, 1, 20],
        [iso(T0 + 9 * MINUTE), 0, 0, null],
        [iso(T0 + 10 * MINUTE), 1, 0, 10],
      ]);
      const [old] = await stats('when.a', { s: now - 5 * HOUR, u: now - 5 * HOUR + 1, step: MINUTE });
      expect([old.at, old.calls, old.maxMs]).toEqual([iso(T0 + 10 * MINUTE - 5 * HOUR), 1, 30]);
    });
  });

  describe('breakerErrors', () => {
    it('counts normalised messages per hour, most frequent first, with when they were first and last seen', async () => {
      await register('err.a');
      now = T0 + HOUR + 30 * MINUTE;
      const at = (ms: number) => iso(T0 + ms);
      await record([
        {
          breakerName: 'err.a',
          success: false,
          error: 'timeout after 3000ms on 10.0.0.1',
          occurredAt: at(HOUR + 60_000),
        },
        {
          breakerName: 'err.a',
          success: false,
          error: 'timeout after 1500ms on 10.0.0.2',
          occurredAt: at(HOUR + 1_000),
        },
        { breakerName: 'err.a', success: false, error: 'connection   refused\n', occurredAt: at(HOUR + 2_000) },
        { breakerName: 'err.a', success: false, error: 'timeout after 10ms on 10.0.0.3', occurredAt: at(HOUR + 3_000) },
        // The hour before.
        { breakerName: 'err.a', success: false, error: 'timeout after 1ms on 10.9.9.9', occurredAt: at(30 * MINUTE) },
        { breakerName: 'err.a', success: false, error: 'request 550e8400-e29b-41d4-a716-446655440000 failed' },
      ]);
      await fold();
      // The default: the hours overlapping the last hour, this one and the one before.
      expect(await errors('err.a')).toEqual([
        {
          message: 'timeout after #ms on #.#.#.#',
          count: 4,
          firstSeenAt: at(30 * MINUTE),
          lastSeenAt: at(HOUR + 60_000),
        },
        { message: 'request #-#-#-#-# failed', count: 1, firstSeenAt: iso(now), lastSeenAt: iso(now) },
        { message: 'connection refused', count: 1, firstSeenAt: at(HOUR + 2_000), lastSeenAt: at(HOUR + 2_000) },
      ]);
      // From this hour on only; and the first one only.
      expect((await errors('err.a', T0 + HOUR + 10 * MINUTE)).map((e) => [e.message, e.count])).toEqual([
        ['timeout after #ms on #.#.#.#', 3],
        ['request #-#-#-#-# failed', 1],
        ['connection refused', 1],
      ]);
      expect((await errors('err.a', undefined, 1)).map((e) => e.count)).toEqual([4]);
    });

    it('keeps at most the 20 most frequent messages of a breaker-hour, across transactions', async () => {
      await register('err.b');
      now = T0 + 2 * HOUR + 10 * MINUTE;
      const message = (k: number) => `failure kind ${'x'.repeat(k + 1)}`;
      // Message k (0..24) comes k+1 times: the batch keeps k = 5..24.
      const first: Outcome[] = [];
      for (let k = 0; k < 25; k++)
        for (let n = 0; n <= k; n++) first.push({ breakerName: 'err.b', success: false, error: message(k) });
      await record(shuffled(first));
      await fold();
      expect((await errors('err.b', undefined, 100)).map((e) => e.count)).toEqual(
        Array.from({ length: 20 }, (_, i) => 25 - i),
      );

      // Three new messages, ten times each, later: 23 in the hour, and the trim keeps the 20 most frequent,
      // the newer first among equals (counts 25..11, then the new ones and k = 9 at 10, then k = 8 at 9).
      now += 1000;
      const news = ['new one', 'new two', 'new three'];
      await record(
        news.flatMap((m) => Array.from({ length: 10 }, () => ({ breakerName: 'err.b', success: false, error: m }))),
      );
      await fold();
      const kept = await errors('err.b', undefined, 100);
      expect(kept).toHaveLength(20);
      expect(kept.map((e) => e.message).sort()).toEqual(
        [...news, ...Array.from({ length: 17 }, (_, i) => message(i + 8))].sort(),
      );
      expect(kept.map((e) => e.count)).toEqual([
        25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 10, 10, 10, 9,
      ]);
      // The trim deleted the others: the hour holds just those 20.
      const [{ n }] = await sql(
        `SELECT count(*)::int AS n FROM outcome_errors e JOIN breakers b ON b.id = e.breaker_id WHERE b.name = 'err.b'`,
      );
      expect(n).toBe(20);
    });

    it('refuses first outside 1 to 100, and an unknown breaker', async () => {
      for (const f of [0, 101]) {
        const result = await gql(fixture.app, ERRORS, { n: 'err.a', f });
        expect(errorCode(result)).toBe('BAD_USER_INPUT');
        expect(result.errors![0].extensions!.field).toBe('first');
      }
      expect(errorCode(await gql(fixture.app, ERRORS, { n: 'no.such' }))).toBe('NOT_FOUND');
    });
  });

  describe('folding', () => {
    it('folds every part exactly once while outcomes keep coming, with folds running side by side', async () => {
      await register('fold.a');
      await register('fold.b');
      now = T0 + 3 * HOUR;
      const store = fixture.app.app.get(OutcomeStatsStore);
      const dataSource = fixture.app.app.get(DataSource);
      const batch = (i: number): Outcome[] =>
        Array.from({ length: 200 }, (_, j) => ({
          breakerName: j % 2 === 0 ? 'fold.a' : 'fold.b',
          success: j % 5 !== 0,
          durationMs: 1 + ((i * 200 + j) % 400),
          error: j % 5 === 0 ? `boom ${i}-${j}` : undefined,
          occurredAt: iso(now - (j % 3) * MINUTE),
        }));
      let writing = true;
      const folding = (async () => {
        let folds = 0;
        while (writing) {
          await Promise.all([0, 1].map(() => inTransaction(dataSource, (tx) => store.fold(tx.manager, 150))));
          folds += 2;
        }
        return folds;
      })();
      await Promise.all(
        Array.from({ length: 4 }, (_, s) =>
          (async () => {
            for (let i = s; i < 40; i += 4) await record(batch(i));
          })(),
        ),
      );
      writing = false;
      expect(await folding).toBeGreaterThan(0);
      const window = { s: now - 3 * MINUTE, u: now + MINUTE };
      await fold();
      const [{ parts }] = await sql(`SELECT count(*)::int AS parts FROM outcome_stat_parts`);
      expect(parts).toBe(0);
      for (const name of ['fold.a', 'fold.b']) {
        const points = await stats(name, window);
        expect(points.reduce((n, p) => n + p.calls, 0)).toBe(4000);
        expect(points.reduce((n, p) => n + p.failures, 0)).toBe(800);
        const [{ n }] = await sql(
          `SELECT sum((SELECT sum(value::bigint) FROM jsonb_each_text(l.latency)))::int AS n
           FROM outcome_latency l JOIN breakers b ON b.id = l.breaker_id WHERE b.name = $1`,
          [name],
        );
        expect(n).toBe(4000);
        // Every failure said "boom <i>-<j>": one message, over the two hours the outcomes fell in.
        expect((await errors(name, now - HOUR)).map((e) => [e.message, e.count])).toEqual([['boom #-#', 800]]);
      }
    });

    it('gives no histogram to a minute pruned between its write and the fold, and still takes its part', async () => {
      await register('fold.pruned');
      const store = fixture.app.app.get(OutcomeStatsStore);
      const dataSource = fixture.app.app.get(DataSource);
      // The folder may take the parts first (every few seconds): then try again, in a minute of its own.
      let taken = 0;
      let minute = 0;
      for (let attempt = 0; attempt < 5 && taken === 0; attempt++) {
        minute = now - (10 + attempt) * MINUTE;
        await record([{ breakerName: 'fold.pruned', success: true, durationMs: 12, occurredAt: iso(minute) }]);
        taken = await inTransaction(dataSource, async (tx) => {
          await tx.manager.query(
            `DELETE FROM outcome_buckets o USING breakers b
             WHERE b.id = o.breaker_id AND b.name = 'fold.pruned' AND o.bucket_start = to_timestamp($1::float8 / 1000)`,
            [minute],
          );
          return store.fold(tx.manager);
        });
      }
      expect(taken).toBeGreaterThan(0);
      const rows = await sql(
        `SELECT count(*)::int AS n FROM outcome_latency l JOIN breakers b ON b.id = l.breaker_id
         WHERE b.name = 'fold.pruned' AND l.bucket_start = to_timestamp($1::float8 / 1000)`,
        [minute],
      );
      expect(rows).toEqual([{ n: 0 }]);
      const [{ parts }] = await sql(`SELECT count(*)::int AS parts FROM outcome_stat_parts`);
      expect(parts).toBe(0);
    });

    it('folds by itself about once a second, so the last second is all that can be missing', async () => {
      await register('fold.c');
      now = T0 + 4 * HOUR;
      await record([{ breakerName: 'fold.c', success: false, durationMs: 42, error: 'late 1' }]);
      const seen = await eventually(async () => {
        const [e] = await errors('fold.c');
        return e?.count === 1 ? e : undefined;
      }, 5000);
      expect(seen.message).toBe('late #');
      const [point] = await stats('fold.c', { s: now, u: now + 1 });
      expect([point.calls, point.p50Ms, point.maxMs]).toEqual([1, expect.closeTo(42, 0), 42]);
    });
  });

  describe('access and retention', () => {
    it('lets a scoped key read the statistics of its breakers only', async () => {
      const { createApiKey } = await gqlOk(
        fixture.app,
        `mutation { createApiKey(name: "lat-viewer", role: VIEWER, scope: "lat.") { key } }`,
      );
      const mine = await gql(fixture.app, STATS, { n: 'lat.a' }, createApiKey.key);
      expect(mine.errors).toBeUndefined();
      expect(errorCode(await gql(fixture.app, STATS, { n: 'err.a' }, createApiKey.key))).toBe('FORBIDDEN');
      expect(errorCode(await gql(fixture.app, ERRORS, { n: 'err.a' }, createApiKey.key))).toBe('FORBIDDEN');
      expect(errorCode(await gql(fixture.app, ERRORS, { n: 'lat.nope' }, createApiKey.key))).toBe('NOT_FOUND');
    });

    it('prunes error counts with the minute buckets, past the bucket retention', async () => {
      expect((await errors('err.a', T0 - DAY)).length).toBeGreaterThan(0);
      now = T0 + 31 * DAY; // the default retention is 30 days
      expect(await fixture.app.app.get(RetentionJob).run()).toMatchObject({ errors: expect.any(Number) });
      expect(await errors('err.a', T0 - DAY)).toEqual([]);
      expect(await errors('err.b', T0 - DAY)).toEqual([]);
      const [point] = await stats('lat.a', { s: T0, u: T0 + 3 * MINUTE, step: 3 * MINUTE });
      expect(point).toEqual(empty(T0));
    });
  });
});
