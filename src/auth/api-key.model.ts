import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { Role } from './role';

// Registered here rather than beside the enum, like the engine's: role.ts stays free of Nest.
registerEnumType(Role, { name: 'Role' });

@ObjectType({ description: 'An API key, without its secret.' })
export class ApiKeyInfo {
  @Field(() => ID)
  id: string;

  @Field()
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => String, {
    nullable: true,
    description: 'The breaker-name prefix it is limited to; null for every breaker.',
  })
  scope: string | null;

  @Field(() => Date)
  createdAt: Date;

  @Field(() => Date, { nullable: true, description: 'Kept roughly current: written at most once a minute.' })
  lastUsedAt: Date | null;

  @Field(() => Date, { nullable: true })
  revokedAt: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field({ description: 'The key itself, shown this once only.' })
  key: string;

  @Field(() => ApiKeyInfo)
  info: ApiKeyInfo;
}
