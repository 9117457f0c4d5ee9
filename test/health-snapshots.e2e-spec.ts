import { DataSource } from 'typeorm';
import { Clock } from '../src/common/clock';
import { gqlOk, useTestApp } from './support/test-app';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2031, 3, 1, 9, 0, 0);
const HISTORY = `query($n: String!, $s: DateTime) { healthHistory(breakerName: $n, since: $s) { status computedAt } }`;

/** Snapshots only on change, or once an hour: the grade at any past moment is still answered. */
describe('health snapshots (e2e)', () => {
  let now = T0;
  const clock: Clock = { now: () => now };
  const fixture = useTestApp({ clock, env: { HEALTH_RECOMPUTE_INTERVAL_MS: String(24 * HOUR) } });
  const recompute = () => gqlOk(fixture.app, `mutation { recomputeHealth { generatedAt } }`);
  const history = async (since: number) =>
    (await gqlOk(fixture.app, HISTORY, { n: 'steady', s: new Date(since).toISOString() })).healthHistory as {
      status: string;
      computedAt: string;
    }[];
  const rows = async () =>
    (await fixture.app.app.get(DataSource).query(`SELECT count(*)::int AS n FROM health_snapshots`))[0].n as number;
  const at = (ms: number) => new Date(ms).toISOString();

  beforeAll(async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "steady", config: { failureThreshold: 1 } }) { name } }`);
  });

  it('writes a snapshot when the grade changes or an hour has passed, not on every run', async () => {
    for (let i = 0; i < 10; i++) {
      now = T0 + i * MINUTE;
      await recompute();
    }
    expect(await rows()).toBe(1); // ten runs, one grade
    now = T0 + 10 * MINUTE;
    await gqlOk(fixture.app, `mutation { forceOpenBreaker(name: "steady") { state } }`);
    await recompute(); // UNHEALTHY now
    now = T0 + 11 * MINUTE;
    await recompute();
    expect(await rows()).toBe(2);
    now = T0 + 10 * MINUTE + HOUR; // an hour after the last snapshot, unchanged
    await recompute();
    expect(await rows()).toBe(3);
    expect(await history(T0 - HOUR)).toEqual([
      { status: 'HEALTHY', computedAt: at(T0) },
      { status: 'UNHEALTHY', computedAt: at(T0 + 10 * MINUTE) },
      { status: 'UNHEALTHY', computedAt: at(T0 + 10 * MINUTE + HOUR) },
    ]);
  });

  it('answers from the snapshot in force at `since`, so the grade of any moment in the range is known', async () => {
    // At T0 + 5 min nothing was written; the grade then was the T0 one.
    expect((await history(T0 + 5 * MINUTE))[0]).toEqual({ status: 'HEALTHY', computedAt: at(T0) });
    expect((await history(T0 + 30 * MINUTE)).map((s) => s.status)).toEqual(['UNHEALTHY', 'UNHEALTHY']);
    // Exactly at a snapshot: that one first.
    expect((await history(T0 + 10 * MINUTE))[0]).toEqual({ status: 'UNHEALTHY', computedAt: at(T0 + 10 * MINUTE) });
  });
});
