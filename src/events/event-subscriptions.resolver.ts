import { Args, Context, Resolver, Subscription } from '@nestjs/graphql';
import type { WebSocket } from 'ws';
import { BreakerScope } from '../auth/breaker-scope';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import type { Principal } from '../auth/principal';
import { SlowSubscriberCloser } from '../common/close-slow';
import { BreakerTransition, isTransition, toTransition } from './breaker-transition.model';
import { BreakerFilterArgs } from '../breakers/dto/breaker-filter.args';
import { EventFilterArgs } from './dto/event-filter.args';
import { RecoveryEventHub } from './recovery-event.hub';
import { RecoveryEvent } from './recovery-event.model';
import { StoredEvent } from './stored-event';
import { MissedEventsError } from './subscriber-queue';

/** Live feeds over graphql-ws, filtered on the server. */
@Resolver()
export class EventSubscriptionsResolver {
  constructor(
    private readonly hub: RecoveryEventHub,
    private readonly closer: SlowSubscriberCloser,
  ) {}

  /** Either way the client should resume from its last event id; the reason says why (at most 123 bytes). */
  private closeForResume(socket: WebSocket | undefined, error: Error): void {
    if (error instanceof MissedEventsError) {
      this.closer.close(socket, 'events may have been missed: resume with breakerEvents(after:)');
    } else {
      this.closer.close(socket);
    }
  }

  @Subscription(() => BreakerTransition, {
    description: 'Each change of state, per breaker in commit order.',
    resolve: (event: StoredEvent) => toTransition(event),
  })
  breakerStateChanged(
    @Args() { breakerName }: BreakerFilterArgs,
    @CurrentPrincipal() by: Principal,
    @Context('socket') socket?: WebSocket,
  ) {
    const scope = BreakerScope.of(by);
    scope.require([breakerName]);
    return this.hub.stream(
      (event) =>
        isTransition(event) && (!breakerName || event.breakerName === breakerName) && scope.includes(event.breakerName),
      (error) => this.closeForResume(socket, error),
    );
  }

  @Subscription(() => RecoveryEvent, {
    description: 'Each recovery event as it is committed, per breaker in commit order.',
    resolve: (event: StoredEvent) => event,
  })
  recoveryEvents(
    @Args() { breakerName, types }: EventFilterArgs,
    @CurrentPrincipal() by: Principal,
    @Context('socket') socket?: WebSocket,
  ) {
    const scope = BreakerScope.of(by);
    scope.require([breakerName]);
    const wanted = types?.length ? new Set(types) : null;
    return this.hub.stream(
      (event) =>
        (!breakerName || event.breakerName === breakerName) &&
        (!wanted || wanted.has(event.type)) &&
        scope.includes(event.breakerName),
      (error) => this.closeForResume(socket, error),
    );
  }
}
