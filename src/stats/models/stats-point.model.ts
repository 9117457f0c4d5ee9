import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: "One step of a breaker's statistics: the outcomes that occurred in [at, at + stepMs)." })
export class StatsPoint {
  @Field({ description: 'The start of the step, a multiple of stepMs since the epoch.' })
  at: Date;

  @Field(() => Float)
  calls: number;

  @Field(() => Float)
  failures: number;

  @Field(() => Float, { description: 'Calls at least as long as slowCallDurationMs was when they were reported.' })
  slowCalls: number;

  @Field(() => Float, { nullable: true, description: 'failures ÷ calls × 100; null without calls.' })
  failureRate: number | null;

  @Field(() => Float, {
    nullable: true,
    description: 'The median duration (nearest rank, within 1.6 %) of the calls that reported one; null without any.',
  })
  p50Ms: number | null;

  @Field(() => Float, { nullable: true })
  p90Ms: number | null;

  @Field(() => Float, { nullable: true })
  p99Ms: number | null;

  @Field(() => Float, { nullable: true, description: 'The longest reported duration, exact.' })
  maxMs: number | null;
}
