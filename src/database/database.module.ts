import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DatabaseConnection } from './database-connection';
import { dataSourceOptions } from './data-source-options';
import { runPendingMigrations } from './migrations-runner';

/** The TypeORM DataSource, migrated before anything can use it. */
@Module({})
export class DatabaseModule {
  static forRoot(connection: DatabaseConnection): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions(connection.url, connection.poolSize),
          dataSourceFactory: async (options) => {
            const dataSource = await new DataSource(options!).initialize();
            await runPendingMigrations(dataSource);
            return dataSource;
          },
        }),
      ],
    };
  }
}
