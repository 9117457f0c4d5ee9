import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../migrations';
import { BreakerEntity } from '../breakers/breaker.entity';
import { RecoveryEventEntity } from '../events/recovery-event.entity';
import { RecoveryMetricsEntity } from '../metrics/recovery-metrics.entity';

export const ENTITIES = [BreakerEntity, RecoveryMetricsEntity, RecoveryEventEntity];

/** The one set of TypeORM options, shared by the app and the migration CLI. Schema changes go through migrations only. */
export function dataSourceOptions(url: string, poolSize: number): DataSourceOptions {
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
    extra: { max: poolSize, connectionTimeoutMillis: 10_000 },
  };
}
