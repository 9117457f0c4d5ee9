import { MigrationInterface, QueryRunner } from 'typeorm';

const COLUMNS = 'id, breaker_id, type, occurred_at, duration_since_last_ms, from_state, to_state, info';
const TYPES = `'CIRCUIT_OPENED', 'CIRCUIT_HALF_OPENED', 'CIRCUIT_CLOSED', 'RECOVERY_ATTEMPTED', 'RECOVERY_SUCCEEDED',
  'RECOVERY_FAILED', 'CIRCUIT_FORCED_OPEN', 'CIRCUIT_DISABLED', 'CIRCUIT_RESET', 'CONFIG_CHANGED'`;

/**
 * recovery_events's columns after the id. The partitioned table has no foreign key to breakers:
 * with one, creating, detaching and dropping a month locks breakers too, after the parent, the
 * reverse of the writers' order (breakers, then events), and deadlocks with them. The platform
 * never deletes a breaker; one deleted by hand leaves its events until retention takes them.
 */
const definitions = (foreignKey: boolean) => `
  breaker_id             integer NOT NULL${foreignKey ? ' REFERENCES breakers (id) ON DELETE CASCADE' : ''},
  type                   text NOT NULL CONSTRAINT recovery_events_type_check CHECK (type IN (${TYPES})),
  occurred_at            timestamptz NOT NULL,
  duration_since_last_ms double precision,
  from_state             text,
  to_state               text,
  info                   jsonb NOT NULL DEFAULT '{}'`;

/** The indexes of recovery_events, on the plain table as on the partitioned one. */
async function createIndexes(q: QueryRunner): Promise<void> {
  await q.query(`CREATE INDEX recovery_events_breaker_idx ON recovery_events (breaker_id, id)`);
  await q.query(`CREATE INDEX recovery_events_occurred_idx ON recovery_events (occurred_at)`);
  await q.query(
    `CREATE INDEX recovery_events_recoveries_idx ON recovery_events (breaker_id) WHERE type = 'RECOVERY_SUCCEEDED'`,
  );
  await q.query(`
    CREATE INDEX recovery_events_concluded_idx ON recovery_events (breaker_id, occurred_at)
    WHERE type IN ('RECOVERY_SUCCEEDED', 'RECOVERY_FAILED')`);
}

async function dropIndexes(q: QueryRunner): Promise<void> {
  for (const name of ['breaker', 'occurred', 'recoveries', 'concluded']) {
    await q.query(`DROP INDEX recovery_events_${name}_idx`);
  }
}

/**
 * recovery_events becomes a table partitioned by month of occurred_at (UTC), so that retention
 * drops whole months instead of deleting rows one by one. Ids keep their sequence and their
 * order, so cursors, which encode an id, stay valid. The primary key is (id, occurred_at), as
 * a partitioned table's must hold the partition key; the ids stay unique, from the one sequence.
 * Months are created here from the oldest event's to three ahead of now; the app creates the
 * months ahead from then on (src/maintenance/event-partitions.ts), under an advisory lock.
 * The copy holds recovery_events exclusively: events wait while it runs, so on a large history
 * run it in a quiet moment.
 */
export class PartitionEvents1795927400000 implements MigrationInterface {
  name = 'PartitionEvents1795927400000';

  async up(q: QueryRunner): Promise<void> {
    await dropIndexes(q);
    await q.query(`ALTER TABLE recovery_events RENAME TO recovery_events_unpartitioned`);
    for (const constraint of ['pkey', 'type_check', 'breaker_id_fkey']) {
      await q.query(
        `ALTER TABLE recovery_events_unpartitioned RENAME CONSTRAINT recovery_events_${constraint} TO recovery_events_unpartitioned_${constraint}`,
      );
    }
    await q.query(`ALTER SEQUENCE recovery_events_id_seq OWNED BY NONE`);
    await q.query(`
      CREATE TABLE recovery_events (
        id bigint NOT NULL DEFAULT nextval('recovery_events_id_seq'),${definitions(false)},
        PRIMARY KEY (id, occurred_at)
      ) PARTITION BY RANGE (occurred_at)`);
    await q.query(`ALTER SEQUENCE recovery_events_id_seq OWNED BY recovery_events.id`);
    await q.query(`
      DO $$
      DECLARE m timestamp; -- the month's start, in UTC wall time: months follow UTC, whatever the session's zone
      BEGIN
        FOR m IN
          SELECT generate_series(
            date_trunc('month', coalesce((SELECT min(occurred_at) FROM recovery_events_unpartitioned), now()) AT TIME ZONE 'UTC'),
            date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
            interval '1 month')
        LOOP
          EXECUTE format('CREATE TABLE %I PARTITION OF recovery_events FOR VALUES FROM (%L) TO (%L)',
            'recovery_events_p' || to_char(m, 'YYYY_MM'), m AT TIME ZONE 'UTC', (m + interval '1 month') AT TIME ZONE 'UTC');
        END LOOP;
      END $$`);
    // Indexes after the copy: building them once is far faster than keeping them up row by row.
    await q.query(`INSERT INTO recovery_events (${COLUMNS}) SELECT ${COLUMNS} FROM recovery_events_unpartitioned`);
    await createIndexes(q);
    await q.query(`DROP TABLE recovery_events_unpartitioned`);
  }

  async down(q: QueryRunner): Promise<void> {
    await dropIndexes(q);
    await q.query(`ALTER TABLE recovery_events RENAME TO recovery_events_partitioned`);
    for (const constraint of ['pkey', 'type_check']) {
      await q.query(
        `ALTER TABLE recovery_events_partitioned RENAME CONSTRAINT recovery_events_${constraint} TO recovery_events_partitioned_${constraint}`,
      );
    }
    await q.query(`ALTER SEQUENCE recovery_events_id_seq OWNED BY NONE`);
    await q.query(`
      CREATE TABLE recovery_events (
        id bigint PRIMARY KEY DEFAULT nextval('recovery_events_id_seq'),${definitions(true)}
      )`);
    await q.query(`ALTER SEQUENCE recovery_events_id_seq OWNED BY recovery_events.id`);
    await q.query(`INSERT INTO recovery_events (${COLUMNS}) SELECT ${COLUMNS} FROM recovery_events_partitioned`);
    await createIndexes(q);
    await q.query(`DROP TABLE recovery_events_partitioned`);
  }
}
