import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description:
    "One breaker's calls and failures per step, for a fleet's sparklines. Steps are aligned to multiples of stepMs since the epoch: `[0]` is the step holding `since`, `[i]` the i-th after it.",
})
export class BreakerActivity {
  @Field()
  breakerName: string;

  @Field(() => [Float], { description: 'Calls per step, every step present (0 without calls).' })
  calls: number[];

  @Field(() => [Float], { description: 'Failures per step, aligned with calls.' })
  failures: number[];
}
