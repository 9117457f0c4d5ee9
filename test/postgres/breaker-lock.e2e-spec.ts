import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { RunningApp } from '../../src/bootstrap';
import { BreakerStore } from '../../src/breakers/breaker.store';
import { StoredBreaker } from '../../src/breakers/stored-breaker';
import { eventually, gqlOk, startTestApp } from '../support/test-app';
import { createTestDatabase, TestDatabase } from '../support/test-database';

/**
 * The write path reads a breaker and its metrics in the statement that locks them. Under READ
 * COMMITTED a statement that waited for a row lock re-reads only the rows it locks; this pins down
 * that a reader blocked behind another writer sees that writer's metrics, not the ones before it.
 */
describe('locking a breaker for a write (e2e, Postgres)', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let writer: Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startTestApp(db);
    await gqlOk(running, `mutation { registerBreaker(input: { name: "contended" }) { name } }`);
    writer = new Client({ connectionString: db.url! });
    await writer.connect();
  });

  afterAll(async () => {
    await writer?.end();
    await running?.close();
    await db?.drop();
  });

  it('hands a reader that waited for the lock the metrics and state the other writer committed', async () => {
    await writer.query('BEGIN');
    const { rows } = await writer.query(`SELECT id, version FROM breakers WHERE name = 'contended' FOR UPDATE`);
    await writer.query(`UPDATE recovery_metrics SET total_calls = 42, total_failures = 7 WHERE breaker_id = $1`, [
      rows[0].id,
    ]);
    await writer.query(`UPDATE breakers SET consecutive_failures = 3, version = version + 1 WHERE id = $1`, [
      rows[0].id,
    ]);

    const dataSource = running.app.get(DataSource);
    const store = running.app.get(BreakerStore);
    let read: StoredBreaker | undefined;
    const reading = dataSource.transaction(async (manager) => {
      read = (await store.lockByNames(manager, ['contended'])).get('contended');
    });

    // The reader is really waiting on the writer's row lock before the writer commits.
    await eventually(async () => {
      const waiting = await writer.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
      );
      return waiting.rows[0].n === 1 ? true : undefined;
    });
    expect(read).toBeUndefined();
    await writer.query('COMMIT');
    await reading;

    expect(read?.record.metrics).toMatchObject({ totalCalls: 42, totalFailures: 7 });
    expect(read?.record.snapshot.consecutiveFailures).toBe(3);
    expect(read?.version).toBe(rows[0].version + 1);
  });
});
