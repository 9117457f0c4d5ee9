import { Logger } from '@nestjs/common';
import { QueryRunner } from 'typeorm';

/** Keys of the cluster-wide Postgres advisory locks this platform takes. One place, so no two features collide. */
export enum AdvisoryLock {
  MIGRATIONS = 72_420_001,
  HEALTH_RECOMPUTE = 72_420_002,
  API_KEY_BOOTSTRAP = 72_420_003,
  /** Held from taking recovery event ids to commit, so that event ids commit in order (see EventStore.insertMany). */
  EVENT_IDS = 72_420_004,
  /** Held while a new breaker is counted against MAX_BREAKERS and inserted, so the cap is exact. */
  BREAKER_REGISTRATION = 72_420_005,
  /** Tried by each retention batch's transaction, so that one instance at a time prunes. */
  RETENTION = 72_420_006,
  /** Held while the months of recovery_events ahead are created, by one instance at a time. */
  EVENT_PARTITIONS = 72_420_007,
}

/**
 * Runs `work` while holding a session advisory lock on the runner's connection, waiting for it if
 * held, and saying so in the log. For migrations only, whose connection has no lock_timeout and is
 * closed afterwards: everything else takes transaction-scoped locks (pg_advisory_xact_lock), which
 * no pooled session can keep once its transaction ends.
 */
export async function withAdvisoryLock<T>(runner: QueryRunner, key: AdvisoryLock, work: () => Promise<T>): Promise<T> {
  const [{ locked }] = await runner.query('SELECT pg_try_advisory_lock($1) AS locked', [key]);
  if (locked !== true) {
    new Logger('AdvisoryLock').log(`waiting for ${AdvisoryLock[key]}: another instance holds it`);
    await runner.query('SELECT pg_advisory_lock($1)', [key]);
  }
  try {
    return await work();
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [key]);
  }
}
