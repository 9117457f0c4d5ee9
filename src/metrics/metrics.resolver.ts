import { Args, Query, Resolver } from '@nestjs/graphql';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { BreakerFilterArgs } from '../breakers/dto/breaker-filter.args';
import { MetricsService } from './metrics.service';
import { RecoveryMetrics } from '../breakers/recovery-metrics.model';

@Resolver(() => RecoveryMetrics)
export class MetricsResolver {
  constructor(private readonly service: MetricsService) {}

  @Query(() => [RecoveryMetrics])
  async recoveryMetrics(
    @Args() { breakerName }: BreakerFilterArgs,
    @CurrentPrincipal() by: Principal,
  ): Promise<RecoveryMetrics[]> {
    const scope = BreakerScope.of(by);
    scope.require([breakerName]);
    return (await this.service.list(breakerName)).filter((m) => scope.includes(m.breakerName));
  }
}
