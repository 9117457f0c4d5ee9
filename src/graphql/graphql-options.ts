import { ApolloDriver, ApolloDriverAsyncConfig, ApolloDriverConfig } from '@nestjs/apollo';
import { DocumentNode, GraphQLSchema, specifiedRules, validate } from 'graphql';
import { AuthService } from '../auth/auth.service';
import { AuthenticatedSockets } from '../auth/authenticated-sockets';
import { graphqlContextFactory, graphqlWsOnConnect } from '../auth/graphql-auth';
import { RateLimiter } from '../auth/rate-limiter';
import type { AppConfig } from '../config/app-config';
import { formatGraphqlError } from '../common/errors/format-graphql-error';
import { queryShapeRule } from '../common/graphql-limits';
import { GraphqlSupportModule } from './graphql-support.module';
import { operationChecksPlugin } from './operation-checks.plugin';
import { UnpagedListBound } from './unpaged-list-bound';

/**
 * The GraphQL server: code-first schema at /graphql over HTTP and graphql-ws, every operation
 * authenticated and rate-limited in its context, documents (subscriptions too) checked against the query limits
 * (over HTTP the cost once the variables are known), errors kept in the platform's vocabulary.
 */
export function graphqlOptions(config: AppConfig): ApolloDriverAsyncConfig {
  return {
    driver: ApolloDriver,
    imports: [GraphqlSupportModule],
    inject: [AuthService, AuthenticatedSockets, RateLimiter, UnpagedListBound],
    useFactory: (
      auth: AuthService,
      sockets: AuthenticatedSockets,
      limiter: RateLimiter,
      unpaged: UnpagedListBound,
    ): Omit<ApolloDriverConfig, 'driver'> => {
      const limits = [queryShapeRule(config.limits)];
      // graphql-ws validates subscription documents itself, so the limits go to it too; Nest hands
      // it these options as they are (its type lists only some of them).
      const graphqlWs = {
        path: '/graphql',
        onConnect: graphqlWsOnConnect(auth, sockets),
        validate: (schema: GraphQLSchema, document: DocumentNode) =>
          validate(schema, document, [...specifiedRules, ...limits]),
      };
      return {
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        includeStacktraceInErrorResponses: false,
        // Field resolvers' errors (e.g. recentEvents' arguments) go through the one exception filter too.
        fieldResolverEnhancers: ['filters'],
        formatError: formatGraphqlError,
        validationRules: limits,
        plugins: [operationChecksPlugin({ maxCost: config.limits.maxQueryCost, unpagedList: () => unpaged.current() })],
        context: graphqlContextFactory(auth, limiter),
        subscriptions: { 'graphql-ws': graphqlWs },
      };
    },
  };
}
