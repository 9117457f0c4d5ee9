import { DataSource, Migration } from 'typeorm';
import { MigrationExecutor } from 'typeorm/migration/MigrationExecutor';
import { AdvisoryLock, withAdvisoryLock } from './advisory-locks';

/**
 * Applies pending migrations under a cluster-wide advisory lock, so that instances starting
 * together run them once: the others wait, then find nothing pending.
 * Uses a single connection throughout, which the one-connection embedded database needs.
 */
export async function runPendingMigrations(dataSource: DataSource): Promise<Migration[]> {
  const runner = dataSource.createQueryRunner();
  try {
    return await withAdvisoryLock(runner, AdvisoryLock.MIGRATIONS, () => {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return executor.executePendingMigrations();
    });
  } finally {
    await runner.release();
  }
}

/** Reverts the most recently applied migration, under the same lock. */
export async function revertLastMigration(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  try {
    await withAdvisoryLock(runner, AdvisoryLock.MIGRATIONS, () => {
      const executor = new MigrationExecutor(dataSource, runner);
      executor.transaction = 'each';
      return executor.undoLastMigration();
    });
  } finally {
    await runner.release();
  }
}
