import { Args, Context, Mutation, Parent, Query, ResolveField, Resolver, Subscription } from '@nestjs/graphql';
import type { WebSocket } from 'ws';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { Role } from '../auth/role';
import type { GraphqlContext } from '../auth/graphql-context';
import { RequireRole } from '../auth/roles.decorator';
import { Breaker } from '../breakers/breaker.model';
import { SlowSubscriberCloser } from '../common/close-slow';
import { RecoveryEvent } from '../events/recovery-event.model';
import { StoredEvent } from '../events/stored-event';
import { AnalyticsService } from './analytics.service';
import { BreakerFilterArgs } from '../breakers/dto/breaker-filter.args';
import { HealthHistoryArgs, RecentEventsArgs, ReportListArgs } from './dto/analytics.args';
import { recommendationsPage, servicesPage } from './report-page';
import { AnalyticsFeed } from './analytics.feed';
import { ConcludedRecoveriesLoader } from './concluded-recoveries.loader';
import { grade, statusCounts } from './grading';
import { HealthStatus } from './health-status';
import {
  HealthChange,
  HealthSnapshot,
  Recommendation,
  RecoveryReport,
  ServiceRecoveryInfo,
  StatusCounts,
} from './models/health.model';
import { HealthHistoryService } from './health-history.service';
import { RecentEventsLoader } from './recent-events.loader';
import { reportWithin, ReportData } from './report';

/** The recovery report, health history and their live feeds. */
@Resolver(() => RecoveryReport)
export class AnalyticsResolver {
  constructor(
    private readonly analytics: AnalyticsService,
    private readonly history: HealthHistoryService,
    private readonly feed: AnalyticsFeed,
    private readonly closer: SlowSubscriberCloser,
  ) {}

  @ResolveField(() => [ServiceRecoveryInfo], { description: 'Every breaker graded, by name; filtered and paged as asked.' })
  services(@Parent() report: RecoveryReport, @Args() args: ReportListArgs): ServiceRecoveryInfo[] {
    return servicesPage(report, args);
  }

  @ResolveField(() => [Recommendation], {
    description: 'The current advice, by breaker; `status` filters by the grade of the breaker it is about.',
  })
  recommendations(@Parent() report: RecoveryReport, @Args() args: ReportListArgs): Recommendation[] {
    return recommendationsPage(report, args);
  }

  @ResolveField(() => StatusCounts, {
    description: 'How many breakers have each status: one bad breaker among thousands reads as that.',
  })
  statusCounts(@Parent() report: RecoveryReport): StatusCounts {
    return statusCounts(report.services.map((s) => s.healthStatus));
  }

  @Query(() => RecoveryReport, { description: 'The latest computed report; computed now if there is none yet.' })
  async recoveryReport(@CurrentPrincipal() by: Principal): Promise<ReportData> {
    return reportWithin(await this.analytics.latestReport(), BreakerScope.of(by));
  }

  @Query(() => [HealthSnapshot], { description: "A breaker's health snapshots, oldest first." })
  healthHistory(@Args() args: HealthHistoryArgs, @CurrentPrincipal() by: Principal): Promise<HealthSnapshot[]> {
    BreakerScope.of(by).require([args.breakerName]);
    return this.history.history(args.breakerName, args.since ?? null, args.limit ?? 1000);
  }

  @RequireRole(Role.ADMIN)
  @Mutation(() => RecoveryReport, { description: 'Regrades every breaker now and answers the new report.' })
  async recomputeHealth(@CurrentPrincipal() by: Principal): Promise<ReportData> {
    BreakerScope.of(by).requireUnscoped('regrade every breaker');
    return (await this.analytics.recompute('request'))!;
  }

  @Subscription(() => HealthChange, { description: "Each change of a breaker's grade.", resolve: (c: unknown) => c })
  healthChanged(
    @Args() { breakerName }: BreakerFilterArgs,
    @CurrentPrincipal() by: Principal,
    @Context('socket') socket?: WebSocket,
  ) {
    const scope = BreakerScope.of(by);
    scope.require([breakerName]);
    return this.feed.healthChanges(breakerName, scope, () => this.closer.close(socket));
  }

  @Subscription(() => RecoveryReport, {
    description: 'Each newly computed report.',
    resolve: (report: ReportData, _args: unknown, context: GraphqlContext) =>
      reportWithin(report, BreakerScope.of(context.principal)),
  })
  recoveryReportUpdated(@Context('socket') socket?: WebSocket) {
    return this.feed.reportUpdates(() => this.closer.close(socket));
  }
}

@Resolver(() => ServiceRecoveryInfo)
export class ServiceRecoveryInfoResolver {
  constructor(private readonly loader: RecentEventsLoader) {}

  @ResolveField(() => [RecoveryEvent], { description: 'The newest events of this service, newest first.' })
  recentEvents(
    @Parent() service: ServiceRecoveryInfo,
    @Args() { limit }: RecentEventsArgs,
    @Context() context: object,
  ): Promise<StoredEvent[]> {
    return this.loader.load(context, service.name, limit ?? 10);
  }
}

@Resolver(() => Breaker)
export class BreakerHealthResolver {
  constructor(private readonly concluded: ConcludedRecoveriesLoader) {}

  @ResolveField(() => HealthStatus, {
    description: 'Its grade now, from its state and the recoveries concluded within HEALTH_WINDOW_MS.',
  })
  async health(@Parent() breaker: Breaker, @Context() context: object): Promise<HealthStatus> {
    const m = breaker.metrics;
    const window = await this.concluded.load(context, breaker.name);
    return grade({
      state: breaker.state,
      successfulRecoveries: m.successfulRecoveries,
      failedRecoveries: m.failedRecoveries,
      totalRecoveryTimeMs: m.averageRecoveryTimeMs * m.successfulRecoveries,
      windowSuccessfulRecoveries: window.succeeded,
      windowFailedRecoveries: window.failed,
    }).status;
  }
}
