import { Field, Float, InputType } from '@nestjs/graphql';
import { IsBoolean, IsNumber, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { IsBreakerName } from '../../common/breaker-name';
import { IsStorableText } from '../../common/storable-text';

export const MAX_ERROR_LENGTH = 2000;

@InputType()
export class OutcomeInput {
  @Field()
  @IsBreakerName()
  breakerName: string;

  @Field()
  @IsBoolean()
  success: boolean;

  @Field(() => Float, { nullable: true, description: 'How long the call took; a finite number ≥ 0.' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'must be a finite number' })
  @Min(0)
  durationMs?: number | null;

  @Field(() => String, { nullable: true, description: 'What went wrong; at most 2000 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(MAX_ERROR_LENGTH)
  @IsStorableText()
  error?: string | null;
}
