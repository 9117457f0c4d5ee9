import { DataSource } from 'typeorm';
import { loadConfig } from '../config/app-config';
import { openDatabase } from './database-connection';
import { dataSourceOptions, NO_TIMEOUTS } from './data-source-options';
import { revertLastMigration, runPendingMigrations } from './migrations-runner';

/** `migration-cli run|revert`: the same database choice (DATABASE_URL or the embedded one) and lock as the app. */
async function main(command: string | undefined): Promise<void> {
  if (command !== 'run' && command !== 'revert') {
    throw new Error('usage: migration-cli run|revert');
  }
  const connection = await openDatabase(loadConfig());
  const dataSource = await new DataSource(dataSourceOptions(connection.url, 1, NO_TIMEOUTS)).initialize();
  try {
    if (command === 'run') {
      const applied = await runPendingMigrations(dataSource);
      console.log(applied.length ? `applied: ${applied.map((m) => m.name).join(', ')}` : 'no pending migrations');
    } else {
      await revertLastMigration(dataSource);
      console.log('reverted the last migration');
    }
    console.log(`database: ${connection.description}`);
  } finally {
    await dataSource.destroy();
    await connection.close();
  }
}

main(process.argv[2]).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
