import { Field, Float, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { RecoveryMetrics } from './recovery-metrics.model';
import { BreakerState } from './engine';

// Registered here rather than beside the enum: the engine stays free of Nest.
registerEnumType(BreakerState, { name: 'BreakerState' });

@ObjectType('BreakerConfig')
export class BreakerConfigModel {
  @Field(() => Int, { description: 'Consecutive failures that open a CLOSED breaker.' })
  failureThreshold: number;

  @Field(() => Float, { description: 'First open period.' })
  openTimeoutMs: number;

  @Field(() => Float, { description: 'Cap of the open period as it doubles after failed recoveries.' })
  maxOpenTimeoutMs: number;

  @Field(() => Int, { description: 'Trial permits outstanding at once in HALF_OPEN.' })
  halfOpenMaxCalls: number;

  @Field(() => Int, { description: 'Successful trials in HALF_OPEN that close the breaker.' })
  successThreshold: number;
}

@ObjectType()
export class Breaker {
  @Field()
  name: string;

  @Field(() => BreakerState)
  state: BreakerState;

  @Field(() => BreakerConfigModel)
  config: BreakerConfigModel;

  @Field(() => Int)
  consecutiveFailures: number;

  @Field(() => Date)
  stateChangedAt: Date;

  @Field(() => Date, { nullable: true, description: 'When an OPEN breaker becomes due for HALF_OPEN.' })
  openUntil: Date | null;

  @Field(() => Float, { description: 'The length of the current (or next) open period.' })
  currentOpenTimeoutMs: number;

  @Field(() => RecoveryMetrics)
  metrics: RecoveryMetrics;
}

@ObjectType()
export class Permission {
  @Field()
  permitted: boolean;

  @Field(() => BreakerState)
  state: BreakerState;
}

@ObjectType()
export class RecordOutcomesResult {
  @Field(() => Int)
  accepted: number;

  @Field(() => [Breaker], { description: 'Each breaker the batch touched, as it stands after the batch.' })
  breakers: Breaker[];

  @Field({
    description:
      'True when this batchId had already committed: nothing was applied again, and the rest is what the first one answered.',
  })
  duplicate: boolean;
}
