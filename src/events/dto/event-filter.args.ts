import { ArgsType, Field } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional } from 'class-validator';
import { BreakerFilterArgs } from '../../breakers/dto/breaker-filter.args';
import { RecoveryEventType } from '../../breakers/engine';

/** Which events: of one breaker or all, of some types or all. */
@ArgsType()
export class EventFilterArgs extends BreakerFilterArgs {
  @Field(() => [RecoveryEventType], { nullable: true, description: 'Only these types; all types when left out.' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsEnum(RecoveryEventType, { each: true })
  types?: RecoveryEventType[] | null;
}
