import { Module } from '@nestjs/common';
import { RateLimiter } from '../auth/rate-limiter';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { UnpagedListBound } from './unpaged-list-bound';

/** What HTTP and graphql-ws share: one rate limiter per instance, and the unpaged-list bound. */
@Module({
  providers: [
    {
      provide: RateLimiter,
      inject: [APP_CONFIG, Clock],
      useFactory: (config: AppConfig, clock: Clock) =>
        new RateLimiter(config.limits.rateLimitPerMinute, () => clock.now()),
    },
    UnpagedListBound,
  ],
  exports: [RateLimiter, UnpagedListBound],
})
export class GraphqlSupportModule {}
