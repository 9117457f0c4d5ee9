import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { RunningApp } from '../../src/bootstrap';
import { AdvisoryLock } from '../../src/database/advisory-locks';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { errorCode, eventually, gql, gqlOk, sleep, startTestApp } from '../support/test-app';

/**
 * Timeouts are Postgres's to enforce (statement_timeout, lock_timeout), so a statement that runs
 * too long is cancelled on the server and a lock wait gives up there, instead of a client-side
 * timer that leaves the server working and a lock request queued on a pooled connection.
 */
describe('server-side timeouts (e2e, Postgres)', () => {
  let db: TestDatabase;
  let holder: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    holder = new Client({ connectionString: db.url! });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await db?.drop();
  });

  it('waits for the migration lock as long as another instance holds it, then starts', async () => {
    await holder.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.MIGRATIONS]);
    let settled: string | null = null;
    const starting = startTestApp(db).then(
      (app) => ((settled = 'started'), app),
      (error: Error) => ((settled = `failed: ${error.message}`), null),
    );
    // Longer than any per-statement timeout the app has.
    await sleep(6000);
    expect(settled).toBeNull();
    await holder.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.MIGRATIONS]);
    const app = await starting;
    expect(settled).toBe('started');
    await app!.close();
  });

  describe('with short timeouts', () => {
    let app: RunningApp;

    beforeAll(async () => {
      app = await startTestApp(db, {
        env: {
          DATABASE_STATEMENT_TIMEOUT_MS: '500',
          DATABASE_LOCK_TIMEOUT_MS: '300',
          HEALTH_RECOMPUTE_INTERVAL_MS: '200',
        },
      });
    });

    afterAll(async () => {
      await app?.close();
    });

    it('has Postgres cancel a statement that runs past statement_timeout', async () => {
      const dataSource = app.app.get(DataSource);
      await expect(dataSource.query('SELECT pg_sleep(2)')).rejects.toMatchObject({ code: '57014' });
      const [{ lock_timeout }] = await dataSource.query('SHOW lock_timeout');
      expect(lock_timeout).toBe('300ms');
    });

    it('answers a requested recompute that cannot get the lock in time as unavailable, and the schedule goes on', async () => {
      await holder.query('SELECT pg_advisory_lock($1)', [AdvisoryLock.HEALTH_RECOMPUTE]);
      const refused = await gql(app, `mutation { recomputeHealth { generatedAt } }`);
      expect(errorCode(refused)).toBe('SERVICE_UNAVAILABLE');
      // Give a lock request still queued on a pooled connection every chance to be granted.
      await sleep(300);
      await holder.query('SELECT pg_advisory_unlock($1)', [AdvisoryLock.HEALTH_RECOMPUTE]);

      const released = Date.now();
      const generatedAt = await eventually(async () => {
        const { recoveryReport } = await gqlOk(app, `{ recoveryReport { generatedAt } }`);
        const at = Date.parse(recoveryReport.generatedAt);
        return at > released ? at : undefined;
      });
      expect(generatedAt).toBeGreaterThan(released);
      // And the scheduled runs did not merely happen once: the lock is free for the next one too.
      await eventually(async () => {
        const { recoveryReport } = await gqlOk(app, `{ recoveryReport { generatedAt } }`);
        return Date.parse(recoveryReport.generatedAt) > generatedAt ? true : undefined;
      });
    });
  });
});
