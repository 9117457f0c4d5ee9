import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { StatsModule } from '../stats/stats.module';
import { BreakerWriter } from './breaker-writer';
import { RecoveryTimesStore } from './recovery-times.store';
import { BreakerStore } from './breaker.store';
import { BreakersResolver } from './breakers.resolver';
import { BreakersService } from './breakers.service';
import { HalfOpenScheduler } from './half-open.scheduler';
import { OutcomeBatchStore } from './outcome-batch.store';

@Module({
  imports: [EventsModule, StatsModule],
  providers: [BreakerStore, OutcomeBatchStore, RecoveryTimesStore, BreakerWriter, BreakersService, BreakersResolver, HalfOpenScheduler],
  exports: [BreakerStore],
})
export class BreakersModule {}
