import { Module } from '@nestjs/common';
import { EventsModule } from '../events/events.module';
import { OutcomeBucketStore } from '../metrics/outcome-bucket.store';
import { BreakerCommands } from './breaker-commands.service';
import { BreakerStore } from './breaker.store';
import { BreakersResolver } from './breakers.resolver';
import { BreakersService } from './breakers.service';
import { HalfOpenScheduler } from './half-open.scheduler';

@Module({
  imports: [EventsModule],
  providers: [BreakerStore, OutcomeBucketStore, BreakerCommands, BreakersService, BreakersResolver, HalfOpenScheduler],
  exports: [BreakerStore, BreakerCommands],
})
export class BreakersModule {}
