import { ArgsType, Field } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { IsBreakerName } from '../../common/breaker-name';

/** An optional breaker name that narrows a query or a feed; all breakers when left out. */
@ArgsType()
export class BreakerFilterArgs {
  @Field(() => String, { nullable: true, description: 'Only this breaker; all breakers when left out.' })
  @IsOptional()
  @IsBreakerName()
  breakerName?: string | null;
}
