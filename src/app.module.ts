import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { LoggerModule } from 'nestjs-pino';
import { AnalyticsModule } from './analytics/analytics.module';
import { MaintenanceModule } from './maintenance/maintenance.module';
import { HealthModule } from './health/health.module';
import { loggingParams } from './observability/logging';
import { ObservabilityModule } from './observability/observability.module';
import { AuthModule } from './auth/auth.module';
import { RolesGuard } from './auth/roles.guard';
import { BreakersModule } from './breakers/breakers.module';
import { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import { GraphqlServerModule } from './graphql/graphql-server.module';
import { GraphqlExceptionFilter } from './common/errors/graphql-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import type { AppConfig } from './config/app-config';
import { DatabaseConnection } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { MetricsModule } from './metrics/metrics.module';
import { PubSubModule } from './pubsub/pubsub.module';
import { StatsModule } from './stats/stats.module';

export interface AppModuleOptions {
  readonly config: AppConfig;
  readonly database: DatabaseConnection;
  /** Replaces the system clock, for tests. */
  readonly clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot({ config, database, clock }: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CommonModule.forRoot(config, clock),
        LoggerModule.forRoot(loggingParams(config.observability)),
        DatabaseModule.forRoot(database),
        PubSubModule.forRoot(database),
        ScheduleModule.forRoot(),
        AuthModule.forRoot(database),
        GraphqlServerModule.forRoot(config),
        BreakersModule,
        EventsModule,
        MetricsModule,
        StatsModule,
        AnalyticsModule,
        MaintenanceModule,
        HealthModule,
        ObservabilityModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: GraphqlExceptionFilter },
        { provide: APP_GUARD, useClass: RolesGuard },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
