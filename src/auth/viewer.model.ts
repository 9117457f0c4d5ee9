import { Field, ObjectType } from '@nestjs/graphql';
import { Role } from './role';

@ObjectType({ description: 'The API key making the request: what a frontend needs to know what to offer.' })
export class Viewer {
  @Field({ description: "The key's name, recorded as the actor of its admin actions." })
  name: string;

  @Field(() => Role)
  role: Role;

  @Field(() => String, {
    nullable: true,
    description: 'The breaker-name prefix it is limited to; null for every breaker.',
  })
  scope: string | null;
}
