import { DataSource } from 'typeorm';
import { loadConfig } from '../../src/config/app-config';
import { DatabaseConnection, openDatabase } from '../../src/database/database-connection';
import { dataSourceOptions } from '../../src/database/data-source-options';
import { runPendingMigrations } from '../../src/database/migrations-runner';

/** Plain SQL straight to the database, with no platform code between. */
export type Sql = (sql: string, params?: unknown[]) => Promise<unknown>;

/** The bench's own way into the database, before the server starts: migrated, with a raw SQL function. */
export interface DirectDb {
  readonly query: Sql;
  /** Connections available at once: 1 on the embedded database, 2 on Postgres. */
  readonly streams: number;
  close(): Promise<void>;
}

export async function openDirect(env: Record<string, string>): Promise<DirectDb> {
  const connection: DatabaseConnection = await openDatabase(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
  const streams = connection.kind === 'embedded' ? 1 : 2;
  const dataSource = await new DataSource(dataSourceOptions(connection.url, streams, 600_000)).initialize();
  await runPendingMigrations(dataSource);
  return {
    query: (sql, params) => dataSource.query(sql, params),
    streams,
    async close() {
      await dataSource.destroy();
      await connection.close();
    },
  };
}
