import { Args, Extensions, Query, Resolver } from '@nestjs/graphql';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { LIST_BOUND } from '../common/operation-meter';
import { BreakerActivityArgs, BreakerErrorsArgs, BreakerStatsArgs, MAX_POINTS } from './dto/stats.args';
import { BreakerActivity } from './models/breaker-activity.model';
import { ErrorCount } from './models/error-count.model';
import { StatsPoint } from './models/stats-point.model';
import { StatsService } from './stats.service';

/** A breaker's statistics: validated arguments in, one service call out. */
@Resolver()
export class StatsResolver {
  constructor(private readonly service: StatsService) {}

  @Query(() => [StatsPoint], {
    description:
      'Calls, failures, slow calls and latency percentiles of a breaker, one point per step, none left out. At most 1000 points.',
  })
  // Unpaged, but never longer than MAX_POINTS: what the query cost counts it as.
  @Extensions({ [LIST_BOUND]: MAX_POINTS })
  breakerStats(@Args() args: BreakerStatsArgs, @CurrentPrincipal() by: Principal): Promise<StatsPoint[]> {
    BreakerScope.of(by).require([args.breakerName]);
    return this.service.breakerStats(args);
  }

  @Query(() => [ErrorCount], {
    description: "A breaker's most frequent error messages (normalised) over the hours since `since`.",
  })
  breakerErrors(@Args() args: BreakerErrorsArgs, @CurrentPrincipal() by: Principal): Promise<ErrorCount[]> {
    BreakerScope.of(by).require([args.breakerName]);
    return this.service.breakerErrors(args);
  }

  @Query(() => [BreakerActivity], {
    description:
      "Every breaker's calls and failures per step, by name, for a fleet view's sparklines; breakers with no outcome in the range are left out. At most 100 steps, over at most 7 days.",
  })
  breakerActivity(@Args() args: BreakerActivityArgs, @CurrentPrincipal() by: Principal): Promise<BreakerActivity[]> {
    return this.service.breakerActivity(args, BreakerScope.of(by).prefix);
  }
}
