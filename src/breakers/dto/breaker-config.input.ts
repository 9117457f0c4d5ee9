import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { IsInt, IsOptional } from 'class-validator';

/** Settings to set; those left out keep their value (or take the default, on registration). Ranges are checked by the engine's `resolveConfig`. */
@InputType()
export class BreakerConfigInput {
  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  failureThreshold?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  openTimeoutMs?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  maxOpenTimeoutMs?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  halfOpenMaxCalls?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  successThreshold?: number | null;
}
