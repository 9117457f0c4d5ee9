import { Field, InputType } from '@nestjs/graphql';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { BreakerConfigInput } from './breaker-config.input';
import { IsBreakerName } from '../../common/breaker-name';

@InputType()
export class RegisterBreakerInput {
  @Field()
  @IsBreakerName()
  name: string;

  @Field(() => BreakerConfigInput, { nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => BreakerConfigInput)
  config?: BreakerConfigInput | null;
}
