import { ApolloDriver, ApolloDriverAsyncConfig, ApolloDriverConfig } from '@nestjs/apollo';
import { NoSchemaIntrospectionCustomRule } from 'graphql';
import { GraphqlAuth } from '../auth/graphql-auth';
import { formatGraphqlErrorFor } from '../common/errors/format-graphql-error';
import { queryShapeRule } from '../common/graphql-limits';
import type { AppConfig } from '../config/app-config';
import { GraphqlSupportModule } from './graphql-support.module';
import { GRAPHQL_PATH } from './graphql-ws.server';
import { operationChecksPlugin } from './operation-checks.plugin';
import { UnpagedListBound } from './unpaged-list-bound';

/**
 * The GraphQL server over HTTP: code-first schema at /graphql, every operation authenticated and
 * rate-limited in its context, documents checked against the query limits (the cost once the
 * variables are known), errors kept in the platform's vocabulary. graphql-ws is GraphqlWsServer.
 */
export function graphqlOptions(config: AppConfig): ApolloDriverAsyncConfig {
  const production = config.nodeEnv === 'production';
  return {
    driver: ApolloDriver,
    imports: [GraphqlSupportModule],
    inject: [GraphqlAuth, UnpagedListBound],
    useFactory: (auth: GraphqlAuth, unpaged: UnpagedListBound): Omit<ApolloDriverConfig, 'driver'> => ({
      path: GRAPHQL_PATH,
      autoSchemaFile: true,
      sortSchema: true,
      playground: false,
      // Our config decides, not Apollo reading NODE_ENV itself; the rule is graphql-ws's too, so both say the same.
      introspection: true,
      includeStacktraceInErrorResponses: false,
      // Field resolvers' errors (e.g. recentEvents' arguments) go through the one exception filter too.
      fieldResolverEnhancers: ['filters'],
      formatError: formatGraphqlErrorFor(production),
      // Nest would reset every execution error's response to HTTP 200; a refusal that says when to
      // come back (retryAfterMs) should read as busy to any HTTP client or proxy too: 503 or 429.
      preserveHttpStatusForExecutionErrors: false,
      validationRules: [queryShapeRule(config.limits), ...(production ? [NoSchemaIntrospectionCustomRule] : [])],
      plugins: [operationChecksPlugin({ maxCost: config.limits.maxQueryCost, unpagedList: () => unpaged.current() })],
      context: auth.context,
    }),
  };
}
