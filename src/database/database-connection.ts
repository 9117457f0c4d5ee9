import { AppConfig, redact } from '../config/app-config';
import { startEmbeddedPostgres } from './embedded-postgres';

/** Where the app's data lives: an external Postgres, or the embedded PGlite this process runs. */
export interface DatabaseConnection {
  readonly kind: 'postgres' | 'embedded';
  readonly url: string;
  readonly poolSize: number;
  /** For logs: never contains a password. */
  readonly description: string;
  /** Stops the embedded database; a no-op for an external one. Call after the pools are closed. */
  close(): Promise<void>;
}

/** Connects to DATABASE_URL when set, or starts the embedded database under DATA_DIR. */
export async function openDatabase(config: AppConfig): Promise<DatabaseConnection> {
  if (config.databaseUrl !== null) {
    return {
      kind: 'postgres',
      url: config.databaseUrl,
      poolSize: config.databasePoolSize,
      description: `Postgres at ${redact(config.databaseUrl)}`,
      close: async () => undefined,
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  return {
    kind: 'embedded',
    url: embedded.url,
    poolSize: 1,
    description: `embedded PGlite in ${embedded.directory}`,
    close: () => embedded.stop(),
  };
}
