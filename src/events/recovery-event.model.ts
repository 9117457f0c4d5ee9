import { Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { PageInfo } from '../common/pagination/page-info.model';
import { JSONScalar } from '../common/scalars/json.scalar';
import { BreakerState, RecoveryEventType } from '../breakers/engine';

// Registered here rather than beside the enum: the engine stays free of Nest.
registerEnumType(RecoveryEventType, { name: 'RecoveryEventType' });

@ObjectType()
export class RecoveryEvent {
  @Field(() => ID)
  id: string;

  @Field()
  breakerName: string;

  @Field(() => RecoveryEventType)
  type: RecoveryEventType;

  @Field(() => Date)
  occurredAt: Date;

  @Field(() => Float, {
    nullable: true,
    description: "Milliseconds since the breaker's previous event; null for its first.",
  })
  durationSinceLastMs: number | null;

  @Field(() => BreakerState, { nullable: true, description: 'The state before, for events that set the state.' })
  fromState: BreakerState | null;

  @Field(() => BreakerState, { nullable: true, description: 'The state after, for events that set the state.' })
  toState: BreakerState | null;

  @Field(() => JSONScalar)
  info: Record<string, unknown>;
}

@ObjectType()
export class RecoveryEventEdge {
  @Field()
  cursor: string;

  @Field(() => RecoveryEvent)
  node: RecoveryEvent;
}

@ObjectType()
export class RecoveryEventConnection {
  @Field(() => [RecoveryEventEdge])
  edges: RecoveryEventEdge[];

  @Field(() => PageInfo)
  pageInfo: PageInfo;
}
