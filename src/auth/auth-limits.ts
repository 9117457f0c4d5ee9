import { Inject, Injectable } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { Clock } from '../common/clock';
import type { AppConfig } from '../config/app-config';
import { APP_CONFIG } from '../config/app-config.token';
import { RateLimiter } from './rate-limiter';

/**
 * The two limits of this instance, shared by HTTP and graphql-ws: operations per API key
 * (RATE_LIMIT_PER_MINUTE), and failed authentications per client address
 * (AUTH_FAILURES_PER_MINUTE), so that guessing keys costs the guesser, not the database.
 */
@Injectable()
export class AuthLimits {
  readonly operations: RateLimiter<number>;
  readonly failures: RateLimiter<string>;

  constructor(@Inject(APP_CONFIG) config: AppConfig, clock: Clock) {
    const now = () => clock.now();
    this.operations = new RateLimiter(config.limits.rateLimitPerMinute, now);
    this.failures = new RateLimiter(config.auth.failuresPerMinute, now);
  }
}

/**
 * The address the connection comes from. Behind a reverse proxy every client shares the proxy's,
 * so there the failure limit is the proxy's; X-Forwarded-For is not trusted, as anyone can send it.
 */
export function clientAddress(request: Pick<IncomingMessage, 'socket'> | undefined): string {
  return request?.socket.remoteAddress ?? 'unknown';
}
