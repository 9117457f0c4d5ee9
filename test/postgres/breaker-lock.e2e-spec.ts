import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { BreakerStore } from '../../src/breakers/breaker.store';
import { StoredBreaker } from '../../src/breakers/stored-breaker';
import { eventually, gqlOk, useTestApp } from '../support/test-app';
import { lockWaiters } from '../support/test-database';

/**
 * The write path reads a breaker and its metrics in the statement that locks them. Under READ
 * COMMITTED a statement that waited for a row lock re-reads only the rows it locks; this pins down
 * that a reader blocked behind another writer sees that writer's metrics, not the ones before it.
 */
describe('locking a breaker for a write (e2e, Postgres)', () => {
  let writer: Client;

  // Registered before useTestApp, so that it runs before the app is closed and the database dropped
  // (Jest runs afterAll hooks in the order they are registered).
  afterAll(async () => {
    await writer?.end();
  });

  const fixture = useTestApp();

  beforeAll(async () => {
    await gqlOk(fixture.app, `mutation { registerBreaker(input: { name: "contended" }) { name } }`);
    writer = new Client({ connectionString: fixture.db.url! });
    await writer.connect();
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

    const dataSource = fixture.app.app.get(DataSource);
    const store = fixture.app.app.get(BreakerStore);
    let read: StoredBreaker | undefined;
    const reading = dataSource.transaction(async (manager) => {
      read = (await store.lockByNames(manager, ['contended'])).get('contended');
    });

    // The reader is really waiting on the writer's row lock before the writer commits.
    await eventually(async () => ((await lockWaiters(writer)) === 1 ? true : undefined));
    expect(read).toBeUndefined();
    await writer.query('COMMIT');
    await reading;

    expect(read?.record.metrics).toMatchObject({ totalCalls: 42, totalFailures: 7 });
    expect(read?.record.snapshot.consecutiveFailures).toBe(3);
    expect(read?.version).toBe(Number(rows[0].version) + 1);
  });
});
