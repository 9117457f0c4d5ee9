import { DataSource } from 'typeorm';
import { isDatabaseUnavailable } from '../src/common/errors/database-errors';
import { useTestApp } from './support/test-app';

/**
 * Postgres enforces the configured timeouts on the app's sessions. The embedded PGlite cannot (it
 * runs in this process's thread, with no timer signal to cancel a statement); there, the client's
 * backstop, statement timeout + 1 s, ends the wait instead.
 */
describe('database timeouts (e2e)', () => {
  const fixture = useTestApp({ env: { DATABASE_STATEMENT_TIMEOUT_MS: '400', DATABASE_LOCK_TIMEOUT_MS: '250' } });

  it('cuts a slow statement short, and the session is usable afterwards', async () => {
    const dataSource = fixture.app.app.get(DataSource);
    if (fixture.db.kind === 'postgres') {
      const [{ statement_timeout }] = await dataSource.query('SHOW statement_timeout');
      const [{ lock_timeout }] = await dataSource.query('SHOW lock_timeout');
      expect({ statement_timeout, lock_timeout }).toEqual({ statement_timeout: '400ms', lock_timeout: '250ms' });
      await expect(dataSource.query('SELECT pg_sleep(1.5)')).rejects.toMatchObject({ code: '57014' });
    } else {
      const slow = await dataSource.query('SELECT pg_sleep(1.6)').then(
        () => null,
        (error: unknown) => error,
      );
      expect(isDatabaseUnavailable(slow)).toBe(true);
    }
    expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });
});
