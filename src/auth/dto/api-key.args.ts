import { ArgsType, Field, ID } from '@nestjs/graphql';
import { IsEnum, IsString, Length, Matches } from 'class-validator';
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
}

@ArgsType()
export class RevokeApiKeyArgs {
  @Field(() => ID)
  @IsString()
  @Matches(/^[0-9]{1,9}$/, { message: 'is not an API key id' })
  id: string;
}
