import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { BreakerEntity } from '../breakers/breaker.entity';
import { RecoveryEventEntity } from '../events/recovery-event.entity';
import { RecoveryMetricsEntity } from '../metrics/recovery-metrics.entity';

export const ENTITIES = [BreakerEntity, RecoveryMetricsEntity, RecoveryEventEntity];

/** The one set of TypeORM options, shared by the app and the migration CLI. Schema changes go through migrations only. */
export function dataSourceOptions(url: string, poolSize: number, queryTimeoutMs = 4000): DataSourceOptions {
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
    // An unreachable database must fail fast (SERVICE_UNAVAILABLE within 5 s), not hang a request.
    extra: { max: poolSize, connectionTimeoutMillis: 4000, query_timeout: queryTimeoutMs, keepAlive: true },
  };
}
