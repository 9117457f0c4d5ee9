import { DataSource } from 'typeorm';
import { EventPartitions, monthStart, partitionName } from '../../src/maintenance/event-partitions';
import { RetentionJob } from '../../src/maintenance/retention.job';
import { gql, gqlOk, useTestApp } from '../support/test-app';

/**
 * The partition DDL (a month dropped, a month created) while breakers are written and their
 * events inserted: the writers lock breakers then events, and the DDL must never take them in the
 * other order, or they deadlock.
 */
describe('event partitions under write load (e2e, Postgres)', () => {
  const fixture = useTestApp({ env: { EVENT_RETENTION_DAYS: '31', RETENTION_INTERVAL_MS: '86400000', RATE_LIMIT_PER_MINUTE: '1000000' } });

  it('drops an expired month and creates a missing one while writers run, with no error on either side', async () => {
    const ds = fixture.app.app.get(DataSource);
    const partitions = fixture.app.app.get(EventPartitions);
    const names = Array.from({ length: 8 }, (_, i) => `ddl.${i}`);
    for (const name of names) {
      await gqlOk(fixture.app, `mutation($n: String!) { registerBreaker(input: { name: $n }) { name } }`, { n: name });
    }
    // An expired month holding an event, and the last month ahead missing.
    const old = monthStart(Date.now(), -3);
    await partitions.ensureRange(ds.manager, old, old);
    await ds.query(
      `INSERT INTO recovery_events (breaker_id, type, occurred_at) SELECT id, 'CONFIG_CHANGED', $1 FROM breakers LIMIT 1`,
      [new Date(old + 86_400_000)],
    );
    const ahead = partitionName(monthStart(Date.now(), 3));
    await ds.query(`ALTER TABLE recovery_events DETACH PARTITION ${ahead}`);
    await ds.query(`DROP TABLE ${ahead}`);

    let writing = true;
    const failures: string[] = [];
    let written = 0;
    const writer = async (name: string) => {
      while (writing) {
        for (const mutation of ['forceOpenBreaker', 'resetBreaker']) {
          const result = await gql(fixture.app, `mutation($n: String!) { ${mutation}(name: $n, reason: "load") { state } }`, { n: name });
          if (result.errors?.length) failures.push(JSON.stringify(result.errors));
          else written++;
        }
      }
    };
    const writers = names.map(writer);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const counts = await fixture.app.app.get(RetentionJob).run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    writing = false;
    await Promise.all(writers);

    expect(failures).toEqual([]);
    expect(written).toBeGreaterThan(20);
    expect(counts).toMatchObject({ eventMonths: 1 });
    const now = await partitions.names(ds.manager);
    expect(now).toContain(ahead);
    expect(now).not.toContain(partitionName(old));
  });
});
