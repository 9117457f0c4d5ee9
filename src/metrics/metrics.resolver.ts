import { Args, Query, Resolver } from '@nestjs/graphql';
import { BreakerFilterArgs } from '../breakers/dto/breaker-filter.args';
import { MetricsService } from './metrics.service';
import { RecoveryMetrics } from './recovery-metrics.model';

@Resolver(() => RecoveryMetrics)
export class MetricsResolver {
  constructor(private readonly service: MetricsService) {}

  @Query(() => [RecoveryMetrics])
  recoveryMetrics(@Args() { breakerName }: BreakerFilterArgs): Promise<RecoveryMetrics[]> {
    return this.service.list(breakerName);
  }
}
