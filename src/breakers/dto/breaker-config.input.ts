import { Field, Float, InputType, Int } from '@nestjs/graphql';
import { IsEnum, IsInt, IsNumber, IsOptional } from 'class-validator';
import { TripPolicy } from '../engine';

/**
 * Settings to set; those left out (or null) keep their value, or take the default on registration,
 * except `slowCallDurationMs`, which an explicit null turns off. Ranges are checked by the engine's `resolveConfig`.
 */
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

  @Field(() => TripPolicy, { nullable: true })
  @IsOptional()
  @IsEnum(TripPolicy)
  tripOn?: TripPolicy | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  windowMs?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  windowBuckets?: number | null;

  @Field(() => Int, { nullable: true })
  @IsOptional()
  @IsInt()
  minimumCalls?: number | null;

  @Field(() => Float, { nullable: true, description: 'Percent, above 0 and at most 100.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a finite number' })
  failureRateThreshold?: number | null;

  @Field(() => Float, { nullable: true, description: '1 to 600000 ms; an explicit null turns slow calls off.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a finite number' })
  slowCallDurationMs?: number | null;

  @Field(() => Float, { nullable: true, description: 'Percent, above 0 and at most 100.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a finite number' })
  slowCallRateThreshold?: number | null;

  @Field(() => Float, { nullable: true })
  @IsOptional()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  permitTimeoutMs?: number | null;
}
