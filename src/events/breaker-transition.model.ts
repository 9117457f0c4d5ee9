import { Field, ID, ObjectType } from '@nestjs/graphql';
import { BreakerState } from '../breakers/engine';
import { StoredEvent } from './stored-event';

@ObjectType({ description: 'A change of state, as marked by the recorded event `eventId`.' })
export class BreakerTransition {
  @Field()
  breakerName: string;

  @Field(() => BreakerState)
  from: BreakerState;

  @Field(() => BreakerState)
  to: BreakerState;

  @Field(() => Date)
  at: Date;

  @Field(() => ID, {
    description: 'The id of the RecoveryEvent that marks the transition; a cursor for breakerEvents.',
  })
  eventId: string;
}

/** Whether the event changes the breaker's state (admin actions re-asserting the current state do not). */
export function isTransition(event: StoredEvent): boolean {
  return event.fromState !== null && event.toState !== null && event.fromState !== event.toState;
}

export function toTransition(event: StoredEvent): BreakerTransition {
  return {
    breakerName: event.breakerName,
    from: event.fromState!,
    to: event.toState!,
    at: event.occurredAt,
    eventId: event.id,
  };
}
