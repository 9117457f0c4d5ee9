import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsOptional, IsString, Length, Matches } from 'class-validator';
import { BREAKER_NAME_MESSAGES, BREAKER_NAME_PATTERN } from '../../common/breaker-name';
import { Role } from '../role';
import { IsStorableText } from '../../common/storable-text';

@ArgsType()
export class CreateApiKeyArgs {
  @Field({ description: 'Who or what holds the key; recorded in the audit trail. 1 to 200 characters.' })
  @IsString()
  @Length(1, 200)
  @IsStorableText()
  name: string;

  @Field(() => Role)
  @IsEnum(Role)
  role: Role;

  @Field(() => String, {
    nullable: true,
    description:
      'A breaker-name prefix such as "checkout.": the key may read, report to and act on only the breakers whose names start with it. Left out: every breaker.',
  })
  @IsOptional()
  @IsString()
  @Length(1, 200, { message: `scope ${BREAKER_NAME_MESSAGES.length}` })
  @Matches(BREAKER_NAME_PATTERN, { message: `scope ${BREAKER_NAME_MESSAGES.pattern}` })
  scope?: string | null;
}

@ArgsType()
export class RevokeApiKeyArgs {
  @Field(() => ID)
  @IsString()
  @Matches(/^[0-9]{1,9}$/, { message: 'is not an API key id' })
  id: string;
}
