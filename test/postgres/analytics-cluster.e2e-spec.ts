import { RunningApp } from '../../src/bootstrap';
import { ChildInstance, startChildInstance } from '../support/child-instance';
import { eventually, gqlOk, startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase, withClient } from '../support/test-database';
import { subscribe } from '../support/ws-client';

const INTERVAL_MS = 500;
const HEALTH_CHANGED = `subscription($n: String) { healthChanged(breakerName: $n) { breakerName from to at } }`;

interface Tick {
  at: number;
  rows: number;
  breakers: number;
}

/**
 * Two instances on one Postgres, both running the health job every 500 ms: this process and a
 * child started from the build. The cluster grades once per tick, not once per instance.
 */
describe('the health recompute job across instances (e2e)', () => {
  let db: TestDatabase;
  let a: RunningApp;
  let aClosed = false;
  let b: ChildInstance;

  const sql = <T = any>(text: string, params: unknown[] = []) =>
    withClient(db.url!, (c) => c.query(text, params)).then((r) => r.rows as T[]);

  /** Each distinct computed_at after `since`, with its number of snapshot rows and of breakers in them. */
  const ticks = (since: Date) =>
    sql<{ at: Date; rows: number; breakers: number }>(
      `SELECT computed_at AS at, count(*)::int AS rows, count(DISTINCT breaker_id)::int AS breakers
       FROM health_snapshots WHERE computed_at > $1 GROUP BY computed_at ORDER BY computed_at`,
      [since],
    ).then((rows) => rows.map((r): Tick => ({ at: r.at.getTime(), rows: r.rows, breakers: r.breakers })));

  const register = (url: RunningApp | string, name: string) =>
    gqlOk(
      url,
      `mutation { registerBreaker(input: { name: "${name}", config: { failureThreshold: 1, openTimeoutMs: 60000 } }) { name } }`,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    // A snapshot every run (not only on a change), so that each tick shows in health_snapshots.
    const env = { HEALTH_RECOMPUTE_INTERVAL_MS: String(INTERVAL_MS), HEALTH_SNAPSHOT_EVERY_MS: '0' };
    a = await startTestApp(db, { env });
    // Before the second instance starts, this one grades by itself.
    await register(a, 'k.alpha');
    await eventually(async () => ((await ticks(new Date(0))).length > 0 ? true : undefined), 5000);
    b = await startChildInstance({ DATABASE_URL: db.url!, ...env });
  });

  afterAll(async () => {
    await b?.stop();
    if (!aClosed) await a?.close();
    await db?.drop();
  });

  it('delivers healthChanged, from whichever instance graded, to subscribers on both, once each', async () => {
    const name = 'k.cross';
    const onA = await subscribe(a.url, HEALTH_CHANGED, { n: name });
    const onB = await subscribe(b.url, HEALTH_CHANGED, { n: name });
    try {
      await register(b.url, name);
      for (const feed of [onA, onB]) {
        const [first] = await feed.waitFor(1, 5000);
        expect(first).toMatchObject({ breakerName: name, from: null, to: 'HEALTHY' });
      }
      await gqlOk(b.url, `mutation { recordOutcome(input: { breakerName: "${name}", success: false }) { state } }`);
      for (const feed of [onA, onB]) {
        const got = await feed.waitFor(2, 5000);
        expect(got[1]).toMatchObject({ breakerName: name, from: 'HEALTHY', to: 'UNHEALTHY' });
      }
      expect(onA.received).toEqual(onB.received);

      // The changes are those of the snapshots: the first grade, then the first UNHEALTHY one.
      const [firstAt] = await sql<{ at: Date }>(
        `SELECT min(s.computed_at) AS at FROM health_snapshots s JOIN breakers b ON b.id = s.breaker_id WHERE b.name = $1`,
        [name],
      );
      const [unhealthyAt] = await sql<{ at: Date }>(
        `SELECT min(s.computed_at) AS at FROM health_snapshots s JOIN breakers b ON b.id = s.breaker_id
         WHERE b.name = $1 AND s.status = 'UNHEALTHY'`,
        [name],
      );
      expect(onA.received.map((c) => c.at)).toEqual([firstAt.at.toISOString(), unhealthyAt.at.toISOString()]);

      // Several more ticks in the cluster bring no more changes to either subscriber.
      const after = new Date(unhealthyAt.at.getTime());
      await eventually(async () => ((await ticks(after)).length >= 3 ? true : undefined), 5000);
      expect(onA.received).toHaveLength(2);
      expect(onB.received).toHaveLength(2);
      expect([...onA.errors, ...onB.errors]).toEqual([]);
    } finally {
      await Promise.all([onA.stop(), onB.stop()]);
    }
  });

  it('writes exactly one snapshot per breaker per tick, ticks about an interval apart', async () => {
    await register(a, 'k.beta');
    await register(b.url, 'k.gamma');
    const since = new Date();
    const [{ n: breakers }] = await sql<{ n: number }>('SELECT count(*)::int AS n FROM breakers');
    expect(breakers).toBe(4); // k.alpha, k.cross, k.beta, k.gamma

    const seen = await eventually(
      async () => {
        const t = await ticks(since);
        return t.length >= 8 ? t : undefined;
      },
      10_000,
      200,
    );
    expect(seen.map((t) => [t.rows, t.breakers])).toEqual(seen.map(() => [breakers, breakers]));

    const gaps = seen.slice(1).map((t, i) => t.at - seen[i].at);
    // Never two runs in one tick: the job skips within half an interval of the last run…
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(INTERVAL_MS / 2);
    // …and the cluster keeps its pace: about one run per interval.
    const median = [...gaps].sort((x, y) => x - y)[Math.floor(gaps.length / 2)];
    expect(median).toBeGreaterThanOrEqual(INTERVAL_MS * 0.8);
    expect(median).toBeLessThanOrEqual(INTERVAL_MS * 1.6);
    expect(Math.max(...gaps)).toBeLessThan(INTERVAL_MS * 3);

    // Every breaker has exactly one snapshot per tick, and the report is the latest tick's.
    const perBreaker = await sql<{ name: string; n: number }>(
      `SELECT b.name, count(*)::int AS n FROM health_snapshots s JOIN breakers b ON b.id = s.breaker_id
       WHERE s.computed_at > $1 AND s.computed_at <= $2 GROUP BY b.name ORDER BY b.name`,
      [since, new Date(seen[seen.length - 1].at)],
    );
    expect(perBreaker).toEqual(['k.alpha', 'k.beta', 'k.cross', 'k.gamma'].map((name) => ({ name, n: seen.length })));
  });

  it('keeps grading with the other instance alone once this one stops', async () => {
    await a.close();
    aClosed = true;
    const since = new Date();
    const alone = await eventually(
      async () => {
        const t = await ticks(since);
        return t.length >= 3 ? t : undefined;
      },
      5000,
      200,
    );
    expect(alone.every((t) => t.rows === 4 && t.breakers === 4)).toBe(true);
    const { recoveryReport } = await gqlOk(b.url, `{ recoveryReport { generatedAt overallSystemHealth } }`);
    expect(Date.parse(recoveryReport.generatedAt)).toBeGreaterThanOrEqual(alone[alone.length - 1].at);
    expect(recoveryReport.overallSystemHealth).toBe('UNHEALTHY'); // k.cross is OPEN
  });
});
