import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsDate, IsInt, IsOptional, Max, Min } from 'class-validator';
import { IsBreakerName } from '../../common/breaker-name';

export const MAX_HISTORY = 10_000;

@ArgsType()
export class HealthHistoryArgs {
  @Field()
  @IsBreakerName()
  breakerName: string;

  @Field(() => Date, {
    nullable: true,
    description:
      'From the snapshot in force at this time (the last at or before it) on; the last 24 hours when left out. Snapshots are written when the grade or rate changes, and at least once in HEALTH_SNAPSHOT_EVERY_MS.',
  })
  @IsOptional()
  @IsDate()
  since?: Date | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: 1000,
    description: `At most this many, oldest first (1 to ${MAX_HISTORY}).`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_HISTORY)
  limit?: number | null;
}

@ArgsType()
export class RecentEventsArgs {
  @Field(() => Int, { nullable: true, defaultValue: 10, description: 'Newest first, 1 to 100.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number | null;
}
