import { RetentionJob } from '../../src/maintenance/retention.job';
import { AdvisoryLock } from '../../src/database/advisory-locks';
import { useTestApp } from '../support/test-app';
import { withClient } from '../support/test-database';

/** One instance at a time prunes: a pass that finds the lock taken leaves the work to its holder. */
describe('retention across instances (e2e, Postgres)', () => {
  const fixture = useTestApp({ env: { RETENTION_INTERVAL_MS: '86400000' } });

  it('answers null while another session holds the retention lock, and prunes once it is free', async () => {
    await withClient(fixture.db.url!, async (other) => {
      await other.query('BEGIN');
      await other.query('SELECT pg_advisory_xact_lock($1)', [AdvisoryLock.RETENTION]);
      expect(await fixture.app.app.get(RetentionJob).run()).toBeNull();
      await other.query('COMMIT');
    });
    expect(await fixture.app.app.get(RetentionJob).run()).toEqual({
      eventMonths: 0,
      snapshots: 0,
      events: 0,
      buckets: 0,
      latency: 0,
      errors: 0,
      parts: 0,
      batches: 0,
    });
  });
});
