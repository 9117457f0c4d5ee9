import { Args, Query, Resolver } from '@nestjs/graphql';
import { RecoveryMetricsArgs } from './dto/recovery-metrics.args';
import { MetricsService } from './metrics.service';
import { RecoveryMetrics } from './recovery-metrics.model';

@Resolver(() => RecoveryMetrics)
export class MetricsResolver {
  constructor(private readonly service: MetricsService) {}

  @Query(() => [RecoveryMetrics])
  recoveryMetrics(@Args() { breakerName }: RecoveryMetricsArgs): Promise<RecoveryMetrics[]> {
    return this.service.list(breakerName);
  }
}
