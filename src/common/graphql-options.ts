import { ApolloDriver, ApolloDriverAsyncConfig, ApolloDriverConfig } from '@nestjs/apollo';
import { DocumentNode, GraphQLSchema, specifiedRules, validate } from 'graphql';
import { GraphqlAuth } from '../auth/graphql-auth';
import type { AppConfig } from '../config/app-config';
import { formatGraphqlError } from './errors/format-graphql-error';
import { queryLimitRules } from './graphql-limits';

/**
 * The GraphQL server: code-first schema at /graphql over HTTP and graphql-ws, every operation
 * authenticated and rate-limited in its context, documents (subscriptions too) checked against the query limits,
 * errors kept in the platform's vocabulary.
 */
export function graphqlOptions(config: AppConfig): ApolloDriverAsyncConfig {
  return {
    driver: ApolloDriver,
    inject: [GraphqlAuth],
    useFactory: (auth: GraphqlAuth): Omit<ApolloDriverConfig, 'driver'> => {
      const limits = queryLimitRules({
        maxDepth: config.limits.maxQueryDepth,
        maxAliases: config.limits.maxAliases,
        maxCost: config.limits.maxQueryCost,
      });
      // graphql-ws validates subscription documents itself, so the limits go to it too; Nest hands
      // it these options as they are (its type lists only some of them).
      const graphqlWs = {
        path: '/graphql',
        onConnect: auth.onConnect,
        onSubscribe: auth.onSubscribe,
        validate: (schema: GraphQLSchema, document: DocumentNode) =>
          validate(schema, document, [...specifiedRules, ...limits]),
      };
      return {
        path: '/graphql',
        autoSchemaFile: true,
        sortSchema: true,
        playground: false,
        includeStacktraceInErrorResponses: false,
        formatError: formatGraphqlError,
        validationRules: limits,
        context: auth.context,
        subscriptions: { 'graphql-ws': graphqlWs },
      };
    },
  };
}
