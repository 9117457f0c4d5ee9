import { ArgsType, Field } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsEnum, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { BreakerState } from '../engine';
import { BreakerConfigInput } from './breaker-config.input';
import { IsBreakerName } from '../../common/breaker-name';
import { OutcomeInput } from './outcome.input';
import { RegisterBreakerInput } from './register-breaker.input';
import { IsStorableText } from '../../common/storable-text';

export const MAX_BATCH_SIZE = 10_000;

@ArgsType()
export class BreakersArgs {
  @Field(() => BreakerState, { nullable: true, description: 'Only breakers in this state.' })
  @IsOptional()
  @IsEnum(BreakerState)
  state?: BreakerState | null;
}

@ArgsType()
export class BreakerNameArgs {
  @Field()
  @IsBreakerName()
  name: string;
}

@ArgsType()
export class AcquirePermissionArgs {
  @Field()
  @IsBreakerName()
  breakerName: string;
}

@ArgsType()
export class AdminActionArgs {
  @Field()
  @IsBreakerName()
  name: string;

  @Field(() => String, { nullable: true, description: 'Why; recorded in the event. At most 2000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  @IsStorableText()
  reason?: string | null;
}

@ArgsType()
export class UpdateBreakerConfigArgs extends AdminActionArgs {
  @Field(() => BreakerConfigInput)
  @ValidateNested()
  @Type(() => BreakerConfigInput)
  config: BreakerConfigInput;
}

@ArgsType()
export class RegisterBreakerArgs {
  @Field(() => RegisterBreakerInput)
  @ValidateNested()
  @Type(() => RegisterBreakerInput)
  input: RegisterBreakerInput;
}

@ArgsType()
export class RecordOutcomeArgs {
  @Field(() => OutcomeInput)
  @ValidateNested()
  @Type(() => OutcomeInput)
  input: OutcomeInput;
}
