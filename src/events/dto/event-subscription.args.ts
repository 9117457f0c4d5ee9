import { ArgsType, Field } from '@nestjs/graphql';
import { ArrayMaxSize, IsArray, IsEnum, IsOptional } from 'class-validator';
import { IsBreakerName } from '../../breakers/dto/breaker-name';
import { RecoveryEventType } from '../../breakers/engine';

@ArgsType()
export class BreakerStateChangedArgs {
  @Field(() => String, { nullable: true, description: 'Only this breaker; all breakers when left out.' })
  @IsOptional()
  @IsBreakerName()
  breakerName?: string | null;
}

@ArgsType()
export class RecoveryEventsArgs {
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
}
