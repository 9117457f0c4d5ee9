import { AppConfig, DatabaseTimeouts, redact } from '../config/app-config';
import { startEmbeddedPostgres } from './embedded-postgres';

/** Where the app's data lives: an external Postgres, or the embedded PGlite this process runs. */
export interface DatabaseConnection {
  readonly kind: 'postgres' | 'embedded';
  readonly url: string;
  readonly poolSize: number;
  /** What Postgres enforces on the app's sessions (migrations run without them). */
  readonly timeouts: DatabaseTimeouts;
  /** For logs: never contains a password. */
  readonly description: string;
  /** Resolves once every connection closed so far has gone; the embedded database takes one at a time. */
  idle(): Promise<void>;
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
      timeouts: config.databaseTimeouts,
      description: `Postgres at ${redact(config.databaseUrl)}`,
      idle: async () => undefined,
      close: async () => undefined,
    };
  }
  const embedded = await startEmbeddedPostgres(config.dataDir);
  return {
    kind: 'embedded',
    url: embedded.url,
    poolSize: 1,
    timeouts: config.databaseTimeouts,
    description: `embedded PGlite in ${embedded.directory}`,
    idle: () => embedded.idle(),
    close: () => embedded.stop(),
  };
}
