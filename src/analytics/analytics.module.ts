import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { AnalyticsFeed } from './analytics.feed';
import { AnalyticsResolver, BreakerHealthResolver, ServiceRecoveryInfoResolver } from './analytics.resolver';
import { AnalyticsService } from './analytics.service';
import { FactsStore } from './facts.store';
import { HealthHistoryService } from './health-history.service';
import { HealthRecomputeJob } from './health-recompute.job';
import { RecentEventsLoader } from './recent-events.loader';
import { ConcludedRecoveriesLoader } from './concluded-recoveries.loader';
import { ReportStore } from './report.store';

@Module({
  imports: [EventsModule],
  providers: [
    FactsStore,
    ReportStore,
    AnalyticsService,
    HealthHistoryService,
    HealthRecomputeJob,
    AnalyticsFeed,
    RecentEventsLoader,
    ConcludedRecoveriesLoader,
    AnalyticsResolver,
    ServiceRecoveryInfoResolver,
    BreakerHealthResolver,
  ],
})
export class AnalyticsModule {}
