import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from './database-connection';
import { dataSourceOptions, NO_TIMEOUTS } from './data-source-options';
import { runPendingMigrations } from './migrations-runner';

/**
 * Migrations run first, on a connection of their own without the app's timeouts: a schema change
 * takes as long as it takes, and an instance waits for another's migrations however long they run.
 * It is closed before the app's pool opens, as the embedded database serves one connection at a time.
 */
async function migrate(connection: DatabaseConnection): Promise<void> {
  const dataSource = await new DataSource(dataSourceOptions(connection.url, 1, NO_TIMEOUTS)).initialize();
  try {
    await runPendingMigrations(dataSource);
  } finally {
    await dataSource.destroy();
    await connection.idle();
  }
}

/** The TypeORM DataSource, migrated before anything can use it. */
@Module({})
export class DatabaseModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(connection.url, connection.poolSize, connection.timeouts),
          dataSourceFactory: async (options) => {
            await migrate(connection);
            return new DataSource(options!).initialize();
          },
        }),
      ],
    };
  }
}
