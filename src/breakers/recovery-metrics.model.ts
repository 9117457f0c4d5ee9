import { Field, Float, Int, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "A breaker's running recovery figures." })
export class RecoveryMetrics {
  @Field()
  breakerName: string;

  @Field(() => Float, { description: 'Every reported outcome, in any state.' })
  totalCalls: number;

  @Field(() => Float)
  totalFailures: number;

  @Field(() => Int)
  recoveryAttempts: number;

  @Field(() => Int)
  successfulRecoveries: number;

  @Field(() => Int)
  failedRecoveries: number;

  @Field(() => Int, { description: 'Failed recoveries since the last successful one.' })
  consecutiveFailedRecoveries: number;

  @Field(() => Float, {
    description: 'Mean time from the start of an outage to its recovery; 0 until a recovery has completed.',
  })
  averageRecoveryTimeMs: number;

  @Field(() => Float, {
    description: 'Total time in OPEN, HALF_OPEN and FORCED_OPEN, the current episode counted up to now.',
  })
  circuitOpenDurationMs: number;

  @Field(() => Date, { nullable: true })
  lastFailureAt: Date | null;

  @Field(() => Date, { nullable: true })
  lastRecoveryAt: Date | null;
}
