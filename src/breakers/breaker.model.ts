import { Field, Float, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { RecoveryMetrics } from './recovery-metrics.model';
import { BreakerState, TripPolicy } from './engine';

// Registered here rather than beside the enums: the engine stays free of Nest.
registerEnumType(BreakerState, { name: 'BreakerState' });
registerEnumType(TripPolicy, {
  name: 'TripPolicy',
  description: 'What trips a CLOSED breaker.',
  valuesMap: {
    CONSECUTIVE_FAILURES: {
      description: 'failureThreshold failures in a row; with slowCallDurationMs set, a slow success counts as one.',
    },
    FAILURE_RATE: {
      description:
        'The failure rate or the slow-call rate over the sliding window reaching its threshold, once the window holds minimumCalls.',
    },
  },
});

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

  @Field(() => TripPolicy)
  tripOn: TripPolicy;

  @Field(() => Float, { description: 'FAILURE_RATE: the sliding window, 1000 to 3600000 ms.' })
  windowMs: number;

  @Field(() => Int, { description: 'The window is this many equal buckets (1 to 60); the oldest drops out whole.' })
  windowBuckets: number;

  @Field(() => Int, { description: 'FAILURE_RATE: fewer calls than this in the window never trip.' })
  minimumCalls: number;

  @Field(() => Float, { description: 'FAILURE_RATE: percent; trips when failures × 100 ≥ this × calls.' })
  failureRateThreshold: number;

  @Field(() => Float, { nullable: true, description: 'A call at least this long is slow; null: no call is slow.' })
  slowCallDurationMs: number | null;

  @Field(() => Float, {
    description: 'FAILURE_RATE with slowCallDurationMs: percent; trips when slow calls × 100 ≥ this × calls.',
  })
  slowCallRateThreshold: number;

  @Field(() => Float, { description: 'A HALF_OPEN trial permit not settled by then expires.' })
  permitTimeoutMs: number;
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

  @Field(() => ID, {
    nullable: true,
    description:
      'The trial permit granted in HALF_OPEN: report the call with this permitId to settle it. Null where no permit is needed (CLOSED, DISABLED) or none was granted.',
  })
  permitId: string | null;

  @Field(() => Date, { nullable: true, description: 'When the permit expires unless an outcome settles it.' })
  expiresAt: Date | null;
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
