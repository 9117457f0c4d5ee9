import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import type { DatabaseTimeouts } from '../config/app-config';
import { BreakerEntity } from '../breakers/breaker.entity';
import { RecoveryEventEntity } from '../events/recovery-event.entity';
import { RecoveryMetricsEntity } from '../breakers/recovery-metrics.entity';

export const ENTITIES = [BreakerEntity, RecoveryMetricsEntity, RecoveryEventEntity];

/** For migrations and the CLI: a schema change may take as long as it takes, and waits for the migration lock. */
export const NO_TIMEOUTS: DatabaseTimeouts = { statementTimeoutMs: 0, lockTimeoutMs: 0 };

/** The defaults of DATABASE_STATEMENT_TIMEOUT_MS and DATABASE_LOCK_TIMEOUT_MS, for callers without a config. */
export const DEFAULT_TIMEOUTS: DatabaseTimeouts = { statementTimeoutMs: 3000, lockTimeoutMs: 2000 };

/**
 * How much longer than statement_timeout the client waits for any answer. Postgres cancels a slow
 * statement itself; this backstop only fires when the server cannot answer at all (a network
 * partition), so that a request still fails fast instead of hanging.
 */
const CLIENT_BACKSTOP_MS = 1000;

/** The one set of TypeORM options, shared by the app and the migration CLI. Schema changes go through migrations only. */
export function dataSourceOptions(
  url: string,
  poolSize: number,
  timeouts: DatabaseTimeouts = DEFAULT_TIMEOUTS,
): DataSourceOptions {
  const { statementTimeoutMs, lockTimeoutMs } = timeouts;
  return {
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    // Pool options go to node-postgres; the embedded database takes a single connection.
    // statement_timeout and lock_timeout are sent at connection start, so every session has them.
    extra: {
      max: poolSize,
      connectionTimeoutMillis: 4000,
      keepAlive: true,
      statement_timeout: statementTimeoutMs,
      lock_timeout: lockTimeoutMs,
      query_timeout: statementTimeoutMs > 0 ? statementTimeoutMs + CLIENT_BACKSTOP_MS : undefined,
    },
  };
}
