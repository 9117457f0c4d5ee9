import { ApolloDriverConfig } from '@nestjs/apollo';
import { DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { AppConfig } from '../config/app-config';
import { graphqlOptions } from './graphql-options';
import { GraphqlSupportModule } from './graphql-support.module';
import { GraphqlWsServer } from './graphql-ws.server';

/** GraphQL at /graphql: Apollo over HTTP, and graphql-ws on the same path. */
@Module({})
export class GraphqlServerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: GraphqlServerModule,
      imports: [GraphqlSupportModule, GraphQLModule.forRootAsync<ApolloDriverConfig>(graphqlOptions(config))],
      providers: [GraphqlWsServer],
    };
  }
}
