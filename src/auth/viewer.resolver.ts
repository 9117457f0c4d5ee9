import { Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal } from './current-principal.decorator';
import type { Principal } from './principal';
import { Viewer } from './viewer.model';

/** Who is asking: any key may read its own name, role and scope (never its secret or id). */
@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'The API key making the request.' })
  viewer(@CurrentPrincipal() by: Principal): Viewer {
    return { name: by.name, role: by.role, scope: by.scope };
  }
}
