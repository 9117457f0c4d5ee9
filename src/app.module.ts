import { ApolloDriver, ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { GraphQLModule } from '@nestjs/graphql';
import { ScheduleModule } from '@nestjs/schedule';
import { AnalyticsModule } from './analytics/analytics.module';
import { BreakersModule } from './breakers/breakers.module';
import { Clock } from './common/clock';
import { CommonModule } from './common/common.module';
import { formatGraphqlError } from './common/errors/format-graphql-error';
import { GraphqlExceptionFilter } from './common/errors/graphql-exception.filter';
import { createValidationPipe } from './common/validation.pipe';
import type { AppConfig } from './config/app-config';
import { DatabaseConnection } from './database/database-connection';
import { DatabaseModule } from './database/database.module';
import { EventsModule } from './events/events.module';
import { MetricsModule } from './metrics/metrics.module';
import { PubSubModule } from './pubsub/pubsub.module';
import { graphqlContext } from './common/graphql-context';

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
        DatabaseModule.forRoot(database),
        PubSubModule.forRoot(database),
        ScheduleModule.forRoot(),
        GraphQLModule.forRoot<ApolloDriverConfig>({
          driver: ApolloDriver,
          path: '/graphql',
          autoSchemaFile: true,
          sortSchema: true,
          playground: false,
          includeStacktraceInErrorResponses: false,
          formatError: formatGraphqlError,
          subscriptions: { 'graphql-ws': { path: '/graphql' } },
          context: graphqlContext,
        }),
        BreakersModule,
        EventsModule,
        MetricsModule,
        AnalyticsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: GraphqlExceptionFilter },
        { provide: APP_PIPE, useFactory: createValidationPipe },
      ],
    };
  }
}
