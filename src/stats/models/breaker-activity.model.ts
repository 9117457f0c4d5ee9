import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({
  description:
    "One breaker's calls and failures per step, for a fleet's sparklines: `[i]` is the step starting at `since + i × stepMs` of the query.",
})
export class BreakerActivity {
  @Field()
  breakerName: string;

  @Field(() => [Float], { description: 'Calls per step, every step present (0 without calls).' })
  calls: number[];

  @Field(() => [Float], { description: 'Failures per step, aligned with calls.' })
  failures: number[];
}
