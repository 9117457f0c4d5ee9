import { RunningApp } from '../../src/bootstrap';
import { Clock } from '../../src/common/clock';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { errorCode, eventually, gql, gqlOk, startTestApp } from '../support/test-app';

/** A clock the test moves by hand; both instances share it, so "due" means the same to each. */
class ManualClock extends Clock {
  at = Date.parse('2030-01-01T00:00:00Z');
  override now(): number {
    return this.at;
  }
}

const BREAKERS = 6;
const ROUNDS = 12;
const BATCHES_PER_ROUND = 6;

/**
 * Breakers that open together fall due together, so the half-open sweep and outcome batches that
 * name several of them contend for the same rows at the same moment. Every statement that locks
 * several breakers must lock them in one order (by id), and what still conflicts must be retried:
 * not one caller may see an error, and every outcome must be counted exactly once.
 */
describe('the half-open sweep against concurrent outcome batches (e2e, Postgres)', () => {
  const clock = new ManualClock();
  let db: TestDatabase;
  let apps: RunningApp[];

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { HALF_OPEN_SWEEP_INTERVAL_MS: '10' };
    apps = [await startTestApp(db, { clock, env })];
    apps.push(await startTestApp(db, { clock, env }));
  });

  afterAll(async () => {
    for (const app of apps ?? []) await app.close();
    await db?.drop();
  });

  it('answers every batch, without an error, and counts each outcome once', async () => {
    const errors: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const names = Array.from({ length: BREAKERS }, (_, i) => `contended-${round}-${i}`);
      // Later ids get shorter open periods, so the breakers fall due in the reverse of id order.
      for (const [i, name] of names.entries()) {
        await gqlOk(
          apps[0],
          `mutation($name: String!, $open: Float!) {
             registerBreaker(input: { name: $name, config: { failureThreshold: 1, openTimeoutMs: $open } }) { name }
           }`,
          { name, open: 1000 + (BREAKERS - i) * 10 },
        );
      }
      await gqlOk(apps[0], RECORD, { outcomes: names.map((breakerName) => ({ breakerName, success: false })) });
      clock.at += 5000;

      const batches = Array.from({ length: BATCHES_PER_ROUND }, (_, b) =>
        gql(apps[b % apps.length], RECORD, {
          outcomes: shuffled(names, round * 31 + b).map((breakerName) => ({ breakerName, success: true })),
        }),
      );
      for (const result of await Promise.all(batches)) {
        if (result.errors) errors.push(`${errorCode(result)}: ${result.errors[0].message}`);
      }

      const counted = await gqlOk<{ breakers: { name: string; metrics: { totalCalls: number } }[] }>(
        apps[1],
        `{ breakers { name metrics { totalCalls } } }`,
      );
      const calls = counted.breakers.filter((b) => names.includes(b.name)).map((b) => b.metrics.totalCalls);
      expect({ round, calls, errors }).toEqual({ round, calls: names.map(() => 1 + BATCHES_PER_ROUND), errors: [] });
    }

    // The sweep itself kept working: every breaker still OPEN gets its half-open.
    clock.at += 60_000;
    await eventually(async () => {
      const { breakers } = await gqlOk<{ breakers: { state: string }[] }>(
        apps[0],
        `{ breakers(state: OPEN) { state } }`,
      );
      return breakers.length === 0 ? true : undefined;
    });
  });
});

const RECORD = `mutation($outcomes: [OutcomeInput!]!) { recordOutcomes(outcomes: $outcomes) { accepted } }`;

/** A deterministic shuffle, so that a failing round can be replayed. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed + 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
