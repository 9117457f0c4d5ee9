import { Args, Query, Resolver } from '@nestjs/graphql';
import { BreakerEventsArgs } from './dto/breaker-events.args';
import { EventsService } from './events.service';
import { RecoveryEvent, RecoveryEventConnection } from './recovery-event.model';

@Resolver(() => RecoveryEvent)
export class EventsResolver {
  constructor(private readonly service: EventsService) {}

  @Query(() => RecoveryEventConnection, {
    description: 'Recovery events, newest first by default, with opaque cursors.',
  })
  breakerEvents(@Args() args: BreakerEventsArgs): Promise<RecoveryEventConnection> {
    return this.service.page(args);
  }
}
