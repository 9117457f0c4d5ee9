import { Field, Float, ObjectType } from '@nestjs/graphql';

@ObjectType({ description: 'How often one normalised error message was reported for a breaker.' })
export class ErrorCount {
  @Field({
    description: 'The error text with numbers and hex as #, whitespace collapsed, at most 200 characters.',
  })
  message: string;

  @Field(() => Float)
  count: number;

  @Field()
  firstSeenAt: Date;

  @Field()
  lastSeenAt: Date;
}
