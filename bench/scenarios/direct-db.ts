import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { DatabaseConnection, openDatabase } from '../../src/database/database-connection';
import { dataSourceOptions, NO_TIMEOUTS } from '../../src/database/data-source-options';
import { runPendingMigrations } from '../../src/database/migrations-runner';

/** Plain SQL straight to the database, with no platform code between. */
export type Sql = (sql: string, params?: unknown[]) => Promise<unknown>;

/** The bench's own way into the database, before the server starts: migrated, with a raw SQL function. */
export interface DirectDb {
  readonly query: Sql;
  /** The same connection as a DataSource, for running the platform's own stores and jobs on it. */
  readonly dataSource: DataSource;
  close(): Promise<void>;
}

/** `connections`: the pool's size on Postgres; the embedded database serves one at a time. */
export async function openDirect(env: Record<string, string>, connections: number): Promise<DirectDb> {
  const connection: DatabaseConnection = await openDatabase(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  const pool = connection.kind === 'embedded' ? 1 : connections;
  const dataSource = await new DataSource(dataSourceOptions(connection.url, pool, NO_TIMEOUTS)).initialize();
  await runPendingMigrations(dataSource);
  return {
    query: (sql, params) => dataSource.query(sql, params),
    dataSource,
    async close() {
      await dataSource.destroy();
      await connection.close();
    },
  };
}
