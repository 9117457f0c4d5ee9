import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { OutcomeBucketStore } from '../metrics/outcome-bucket.store';
import { BreakerCommands } from './breaker-commands.service';
import { BreakerStore } from './breaker.store';
import { BreakersResolver } from './breakers.resolver';
import { BreakersService } from './breakers.service';
import { HalfOpenScheduler } from './half-open.scheduler';
import { OutcomeWriter } from './outcome-writer';

@Module({
  imports: [EventsModule],
  providers: [
    BreakerStore,
    OutcomeBucketStore,
    BreakerCommands,
    OutcomeWriter,
    BreakersService,
    BreakersResolver,
    HalfOpenScheduler,
  ],
  exports: [BreakerStore, BreakerCommands],
})
export class BreakersModule {}
