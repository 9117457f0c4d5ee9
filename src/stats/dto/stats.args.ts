import { ArgsType, Field, Float, Int } from '@nestjs/graphql';
import { IsDate, IsDivisibleBy, IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { IsBreakerName } from '../../common/breaker-name';

export const STEP_UNIT_MS = 60_000;
/** A step of a year is as coarse as a chart needs; it also keeps every `at` a valid date. */
export const MAX_STEP_MS = 366 * 86_400_000;
export const MAX_POINTS = 1000;
export const DEFAULT_ERRORS = 20;
export const MAX_ERRORS = 100;
/** breakerActivity's default step: an hour is 12 points per breaker. */
export const DEFAULT_ACTIVITY_STEP_MS = 300_000;
/** breakerActivity answers for every breaker at once, so its series are short, and its range too. */
export const MAX_ACTIVITY_POINTS = 100;
export const MAX_ACTIVITY_RANGE_MS = 7 * 86_400_000;

const STEP_MESSAGE = `stepMs must be a positive multiple of ${STEP_UNIT_MS} (whole minutes), at most ${MAX_STEP_MS}`;

/** A range of time, as breakerStats and breakerActivity take it. */
@ArgsType()
export class TimeRangeArgs {
  @Field(() => Date, { nullable: true, description: 'From this time on; one hour before `until` when left out.' })
  @IsOptional()
  @IsDate()
  since?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Up to this time (excluded); now when left out.' })
  @IsOptional()
  @IsDate()
  until?: Date | null;
}

@ArgsType()
export class BreakerStatsArgs extends TimeRangeArgs {
  @Field()
  @IsBreakerName()
  breakerName: string;

  @Field(() => Float, {
    nullable: true,
    defaultValue: STEP_UNIT_MS,
    description: `The length of each point, a multiple of ${STEP_UNIT_MS}; at most ${MAX_POINTS} points are returned.`,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: STEP_MESSAGE })
  @Min(STEP_UNIT_MS, { message: STEP_MESSAGE })
  @Max(MAX_STEP_MS, { message: STEP_MESSAGE })
  @IsDivisibleBy(STEP_UNIT_MS, { message: STEP_MESSAGE })
  stepMs?: number | null = STEP_UNIT_MS;
}

@ArgsType()
export class BreakerErrorsArgs {
  @Field()
  @IsBreakerName()
  breakerName: string;

  @Field(() => Date, {
    nullable: true,
    description: 'The hours from the one holding this time on; one hour ago when left out.',
  })
  @IsOptional()
  @IsDate()
  since?: Date | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_ERRORS,
    description: `The most frequent this many, 1 to ${MAX_ERRORS}.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ERRORS)
  first?: number | null = DEFAULT_ERRORS;
}

@ArgsType()
export class BreakerActivityArgs extends TimeRangeArgs {
  @Field(() => Float, {
    nullable: true,
    defaultValue: DEFAULT_ACTIVITY_STEP_MS,
    description: `The length of each step, a multiple of ${STEP_UNIT_MS}; at most ${MAX_ACTIVITY_POINTS} steps.`,
  })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: STEP_MESSAGE })
  @Min(STEP_UNIT_MS, { message: STEP_MESSAGE })
  @Max(MAX_STEP_MS, { message: STEP_MESSAGE })
  @IsDivisibleBy(STEP_UNIT_MS, { message: STEP_MESSAGE })
  stepMs?: number | null = DEFAULT_ACTIVITY_STEP_MS;
}
