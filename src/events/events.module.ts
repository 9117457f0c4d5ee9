import { Module } from '@nestjs/common';
import { EventStore } from './event.store';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';

@Module({
  providers: [EventStore, EventsService, EventsResolver],
  exports: [EventStore],
})
export class EventsModule {}
