import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsDate, IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { HealthStatus } from '../health-status';
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

/** The most items a page of the report's lists holds. */
export const MAX_REPORT_PAGE = 10_000;

/** Filters and pages one of the report's lists; with none of them, the whole list, as before. */
@ArgsType()
export class ReportListArgs {
  @Field(() => HealthStatus, { nullable: true, description: 'Only the breakers graded this.' })
  @IsOptional()
  @IsEnum(HealthStatus)
  status?: HealthStatus | null;

  @Field(() => Int, { nullable: true, description: `At most this many (1 to ${MAX_REPORT_PAGE}); all when left out.` })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_REPORT_PAGE)
  first?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The last item of the previous page: a service's name, or a recommendation's `breakerName/kind`. The list goes on after it, in the report's order.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  after?: string | null;
}
