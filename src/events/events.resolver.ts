import { Args, Query, Resolver } from '@nestjs/graphql';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { BreakerEventsArgs } from './dto/breaker-events.args';
import { EventsService } from './events.service';
import { RecoveryEvent, RecoveryEventConnection } from './recovery-event.model';

@Resolver(() => RecoveryEvent)
export class EventsResolver {
  constructor(private readonly service: EventsService) {}

  @Query(() => RecoveryEventConnection, {
    description: 'Recovery events, newest first by default, with opaque cursors.',
  })
  breakerEvents(@Args() args: BreakerEventsArgs, @CurrentPrincipal() by: Principal): Promise<RecoveryEventConnection> {
    const scope = BreakerScope.of(by);
    scope.require([args.breakerName]);
    return this.service.page(args, scope.prefix ?? undefined);
  }
}
