import { ArgsType, Field, Int } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SortOrder } from '../../common/pagination/sort-order';
import { IsBreakerName } from '../../breakers/dto/breaker-name';
import { RecoveryEventType } from '../../breakers/engine';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class BreakerEventsArgs {
  @Field(() => String, { nullable: true, description: 'Only this breaker; all breakers when left out.' })
  @IsOptional()
  @IsBreakerName()
  breakerName?: string | null;

  @Field(() => [RecoveryEventType], { nullable: true, description: 'Only these types; all types when left out.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsEnum(RecoveryEventType, { each: true })
  types?: RecoveryEventType[] | null;

  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `Page size, 1 to ${MAX_PAGE_SIZE}.`,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first?: number | null = DEFAULT_PAGE_SIZE;

  @Field(() => String, { nullable: true, description: "The previous page's endCursor." })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  after?: string | null;

  @Field(() => SortOrder, {
    nullable: true,
    defaultValue: SortOrder.DESC,
    description: 'DESC: newest first. ASC: oldest first, for resuming a feed.',
  })
  @IsOptional()
  @IsEnum(SortOrder)
  order?: SortOrder | null = SortOrder.DESC;
}
