import { Module } from '@nestjs/common';
import { EventSubscriptionsResolver } from './event-subscriptions.resolver';
import { EventStore } from './event.store';
import { EventsResolver } from './events.resolver';
import { EventsService } from './events.service';
import { RecoveryEventHub } from './recovery-event.hub';
import { RecoveryEventPublisher } from './recovery-event.publisher';

@Module({
  providers: [
    EventStore,
    EventsService,
    EventsResolver,
    RecoveryEventPublisher,
    RecoveryEventHub,
    EventSubscriptionsResolver,
  ],
  exports: [EventStore, RecoveryEventPublisher],
})
export class EventsModule {}
