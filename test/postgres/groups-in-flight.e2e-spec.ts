import { DataSource } from 'typeorm';
import { RunningApp } from '../../src/bootstrap';
import { BreakerWriter } from '../../src/breakers/breaker-writer';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { gqlOk, startTestApp } from '../support/test-app';

const RECORD = `mutation($outcomes: [OutcomeInput!]!, $batchId: ID) {
  recordOutcomes(outcomes: $outcomes, batchId: $batchId) { accepted duplicate }
}`;
const BREAKERS = 10;
const STREAMS = 6;
const BATCHES = 12;
const SIZE = 300;

interface Recorded {
  recordOutcomes: { accepted: number; duplicate: boolean };
}

/**
 * Two outcome groups run at once by default on Postgres (OUTCOME_GROUPS_IN_FLIGHT): separate
 * transactions over the same breakers, the second beginning while the first commits and waiting
 * for its row locks. Every batch
 * must still count exactly once, a batch sent twice at once included, with no error.
 */
describe('outcome groups in flight (e2e, Postgres)', () => {
  let db: TestDatabase;
  let app: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db);
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  it('runs two groups at once, never more, and counts every outcome once', async () => {
    for (let i = 0; i < BREAKERS; i++) {
      await gqlOk(
        app,
        `mutation { registerBreaker(input: { name: "inflight-${i}", config: { failureThreshold: 10000 } }) { name } }`,
      );
    }
    const writer = app.app.get(BreakerWriter);
    const applyGroup = writer.applyGroup.bind(writer);
    let running = 0;
    let most = 0;
    writer.applyGroup = async (requests, overlap) => {
      most = Math.max(most, ++running);
      try {
        return await applyGroup(requests, overlap);
      } finally {
        running--;
      }
    };
    const outcomes = (seed: number) =>
      Array.from({ length: SIZE }, (_, i) => ({
        breakerName: `inflight-${(seed + i) % BREAKERS}`,
        success: (seed + i) % 5 !== 0,
        durationMs: (seed + i) % 97,
        error: (seed + i) % 5 === 0 ? `boom ${seed + i}` : undefined,
      }));

    const answers = await Promise.all(
      Array.from({ length: STREAMS }, async (_, s) => {
        const mine: Recorded['recordOutcomes'][] = [];
        for (let b = 0; b < BATCHES; b++) {
          const seed = s * 10_000 + b * SIZE;
          const batch = { outcomes: outcomes(seed), batchId: `inflight-${s}-${b}` };
          // Every third batch is sent twice at once: one of the two must be the replay.
          const sends = b % 3 === 0 ? [batch, batch] : [batch];
          const results = await Promise.all(sends.map((vars) => gqlOk<Recorded>(app, RECORD, vars)));
          mine.push(...results.map((r) => r.recordOutcomes));
        }
        return mine;
      }),
    );
    const all = answers.flat();
    expect(all).toHaveLength(STREAMS * (BATCHES + BATCHES / 3));
    expect(all.every((a) => a.accepted === SIZE)).toBe(true);
    expect(all.filter((a) => a.duplicate)).toHaveLength((STREAMS * BATCHES) / 3);
    expect(most).toBe(2);

    const made = STREAMS * BATCHES * SIZE;
    const [{ calls, failures }] = await app.app
      .get(DataSource)
      .query(`SELECT sum(total_calls)::int AS calls, sum(total_failures)::int AS failures FROM recovery_metrics`);
    expect(calls).toBe(made);
    expect(failures).toBe(made / 5);
    const [{ minuteCalls }] = await app.app
      .get(DataSource)
      .query(`SELECT sum(calls)::int AS "minuteCalls" FROM outcome_buckets`);
    expect(minuteCalls).toBe(made);
  });
});

/**
 * The group behind a committing one waits for that commit inside Postgres (its row locks, a batch
 * id it claimed), where lock_timeout counts. A commit slower than lock_timeout (a synchronous
 * standby, a disk stall) must delay the group behind, as it would with one group in flight, not refuse it.
 */
describe('a slow commit with a group behind it (e2e, Postgres)', () => {
  let db: TestDatabase;
  let app: RunningApp;
  /** Far above the lock timeout, so that the group behind surely waits past it. */
  const COMMIT_MS = 1500;
  let tries = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await startTestApp(db, { env: { DATABASE_LOCK_TIMEOUT_MS: '200', DATABASE_STATEMENT_TIMEOUT_MS: '6000' } });
    await gqlOk(app, `mutation { registerBreaker(input: { name: "slow-commit" }) { name } }`);
    const ds = app.app.get(DataSource);
    // Every group writes one statistics part; this makes its COMMIT take COMMIT_MS.
    await ds.query(
      `CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(${COMMIT_MS / 1000}); RETURN NULL; END $$`,
    );
    await ds.query(
      `CREATE CONSTRAINT TRIGGER slow_commit AFTER INSERT ON outcome_stat_parts
       DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()`,
    );
    const writer = app.app.get(BreakerWriter);
    const applyGroup = writer.applyGroup.bind(writer);
    writer.applyGroup = (...args) => {
      tries++;
      return applyGroup(...args);
    };
  });

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  const send = (batchId: string) =>
    gqlOk<Recorded>(app, RECORD, { outcomes: [{ breakerName: 'slow-commit', success: true, durationMs: 5 }], batchId });
  /** Sends a batch, and resolves once its group is in its COMMIT, when the next group may begin, with its answer to come. */
  const sendAndCommit = async (batchId: string) => {
    const answer = send(batchId);
    await until(async () => {
      const [{ sleeping }] = await app.app
        .get(DataSource)
        .query(
          `SELECT count(*)::int AS sleeping FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'`,
        );
      return sleeping > 0;
    });
    return { answer };
  };

  it('delays a group waiting for the row locks of the commit ahead, instead of refusing it, and counts both', async () => {
    tries = 0;
    const { answer: first } = await sendAndCommit('slow-a');
    const answers = await Promise.all([first, send('slow-b')]);
    expect(answers.map((a) => a.recordOutcomes)).toEqual([
      { accepted: 1, duplicate: false },
      { accepted: 1, duplicate: false },
    ]);
    // The second group's first try gave up behind the commit and ran again once it ended.
    expect(tries).toBe(3);
    const [{ calls }] = await app.app.get(DataSource).query(`SELECT total_calls::int AS calls FROM recovery_metrics`);
    expect(calls).toBe(2);
  });

  it('delays a batch sent again while its first send commits, and answers it as the duplicate', async () => {
    tries = 0;
    const { answer: first } = await sendAndCommit('slow-c');
    // The second send waits for the first's claim of the batch id, then finds it committed.
    const answers = await Promise.all([first, send('slow-c')]);
    expect(answers.map((a) => a.recordOutcomes)).toEqual([
      { accepted: 1, duplicate: false },
      { accepted: 1, duplicate: true },
    ]);
    expect(tries).toBe(3);
    const [{ calls }] = await app.app.get(DataSource).query(`SELECT total_calls::int AS calls FROM recovery_metrics`);
    expect(calls).toBe(3);
  });
});

async function until(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('the condition never held');
}
