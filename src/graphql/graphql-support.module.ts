import { Module } from '@nestjs/common';
import { UnpagedListBound } from './unpaged-list-bound';

/** What HTTP and graphql-ws share: the unpaged-list bound. (The rate limits are auth's, in AuthLimits.) */
@Module({
  providers: [UnpagedListBound],
  exports: [UnpagedListBound],
})
export class GraphqlSupportModule {}
