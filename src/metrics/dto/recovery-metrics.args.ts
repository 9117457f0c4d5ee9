import { ArgsType, Field } from '@nestjs/graphql';
import { IsOptional } from 'class-validator';
import { IsBreakerName } from '../../breakers/dto/breaker-name';

@ArgsType()
export class RecoveryMetricsArgs {
  @Field(() => String, { nullable: true, description: 'Only this breaker; all breakers when left out.' })
  @IsOptional()
  @IsBreakerName()
  breakerName?: string | null;
}
