import { ArgsType, Field, Int } from '@nestjs/graphql';
import { IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { SortOrder } from '../../common/pagination/sort-order';
import { EventFilterArgs } from './event-filter.args';

export const MAX_PAGE_SIZE = 500;
export const DEFAULT_PAGE_SIZE = 50;

@ArgsType()
export class BreakerEventsArgs extends EventFilterArgs {
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
