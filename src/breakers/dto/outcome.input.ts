import { Field, Float, ID, InputType } from '@nestjs/graphql';
import { IsBoolean, IsDate, IsNumber, IsOptional, IsString, Length, MaxLength, Min } from 'class-validator';
import { IsBreakerName } from '../../common/breaker-name';
import { IsStorableText } from '../../common/storable-text';

export const MAX_ERROR_LENGTH = 2000;
export const MAX_PERMIT_ID_LENGTH = 100;
/** How far ahead of the server's clock an occurredAt may be: clocks drift. */
export const MAX_OCCURRED_AHEAD_MS = 5_000;
/** How far back an occurredAt may be: a day, as long as a reporter may hold outcomes it could not send. */
export const MAX_OCCURRED_AGO_MS = 86_400_000;

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

  @Field(() => ID, {
    nullable: true,
    description:
      'The trial permit the call ran under, as acquirePermission granted it: in HALF_OPEN it settles exactly that permit.',
  })
  @IsOptional()
  @IsString()
  @Length(1, MAX_PERMIT_ID_LENGTH)
  permitId?: string | null;

  @Field(() => Date, {
    nullable: true,
    description:
      'When the call happened; default now. At most 5 s ahead of the server and 24 h behind it. Decides its window bucket and minute, and whether it is a HALF_OPEN trial.',
  })
  @IsOptional()
  @IsDate()
  occurredAt?: Date | null;
}
