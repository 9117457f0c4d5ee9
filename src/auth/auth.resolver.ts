import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { ApiKeyInfo, CreatedApiKey } from './api-key.model';
import { BreakerScope } from './breaker-scope';
import { CurrentPrincipal } from './current-principal.decorator';
import type { Principal } from './principal';
import { ApiKeyRow } from './api-key.store';
import { AuthService } from './auth.service';
import { CreateApiKeyArgs, RevokeApiKeyArgs } from './dto/api-key.args';
import { Role } from './role';
import { RequireRole } from './roles.decorator';

/** API key management: unscoped admins only (a scoped admin could otherwise mint itself a wider key). */
@Resolver(() => ApiKeyInfo)
@RequireRole(Role.ADMIN)
export class AuthResolver {
  constructor(private readonly auth: AuthService) {}

  @Query(() => [ApiKeyInfo], { description: 'Every key, revoked ones included; never a secret.' })
  async apiKeys(@CurrentPrincipal() by: Principal): Promise<ApiKeyInfo[]> {
    BreakerScope.of(by).requireUnscoped('manage API keys');
    return (await this.auth.list()).map(toInfo);
  }

  @Mutation(() => CreatedApiKey, { description: 'A new key; its secret is shown in this answer only.' })
  async createApiKey(
    @Args() { name, role, scope }: CreateApiKeyArgs,
    @CurrentPrincipal() by: Principal,
  ): Promise<CreatedApiKey> {
    BreakerScope.of(by).requireUnscoped('manage API keys');
    const { key, info } = await this.auth.create(name, role, scope ?? null);
    return { key, info: toInfo(info) };
  }

  @Mutation(() => ApiKeyInfo, { description: 'Stops the key at once, open subscriptions included.' })
  async revokeApiKey(@Args() { id }: RevokeApiKeyArgs, @CurrentPrincipal() by: Principal): Promise<ApiKeyInfo> {
    BreakerScope.of(by).requireUnscoped('manage API keys');
    return toInfo(await this.auth.revoke(Number(id)));
  }
}

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return { ...row, id: String(row.id) };
}
