import type { ApolloDriverConfig } from '@nestjs/apollo';
import { OperationCheckOptions, operationRefusal } from './operation-checks';

type ApolloPlugin = NonNullable<ApolloDriverConfig['plugins']>[number];

/** Runs the operation checks over HTTP, where Apollo has resolved the operation and knows the variables. */
export function operationChecksPlugin(options: Omit<OperationCheckOptions, 'transport'>): ApolloPlugin {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request }) {
          const refusal = await operationRefusal(schema, document, request, { ...options, transport: 'http' });
          if (refusal) throw refusal;
        },
      };
    },
  };
}
