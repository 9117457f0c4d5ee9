import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { OutcomeBucketStore } from './outcome-bucket.store';
import { BreakerWriter } from './breaker-writer';
import { BreakerStore } from './breaker.store';
import { BreakersResolver } from './breakers.resolver';
import { BreakersService } from './breakers.service';
import { HalfOpenScheduler } from './half-open.scheduler';
import { OutcomeBatchStore } from './outcome-batch.store';

@Module({
  imports: [EventsModule],
  providers: [
    BreakerStore,
    OutcomeBucketStore,
    OutcomeBatchStore,
    BreakerWriter,
    BreakersService,
    BreakersResolver,
    HalfOpenScheduler,
  ],
  exports: [BreakerStore],
})
export class BreakersModule {}
