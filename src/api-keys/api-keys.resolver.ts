import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { requireUser } from '../auth/principal';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView, UpdateApiKeyDto } from './dto/api-key.dto';

@Resolver(() => ApiKeyView)
export class ApiKeysResolver {
  constructor(private readonly service: ApiKeysService) {}

  @Query(() => [ApiKeyView])
  @RequireScopes('api_keys:read')
  async apiKeys(@CurrentPrincipal() p: Principal): Promise<ApiKeyView[]> {
    return (await this.service.list(p.tenantId)).map(ApiKeyView.of);
  }

  @Query(() => ApiKeyView)
  @RequireScopes('api_keys:read')
  async apiKey(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.service.get(p.tenantId, id));
  }

  @Mutation(() => CreatedApiKeyView)
  @RequireScopes('api_keys:write')
  async createApiKey(@CurrentPrincipal() p: Principal, @Args('input') input: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { key, secret } = await this.service.create(p.tenantId, requireUser(p), input);
    return { apiKey: ApiKeyView.of(key), secret };
  }

  @Mutation(() => ApiKeyView, { description: "Change a key's name or scopes (a list, a preset, or both; they replace the old scopes)." })
  @RequireScopes('api_keys:write')
  async updateApiKey(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string, @Args('input') input: UpdateApiKeyDto): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.service.update(p.tenantId, id, input));
  }

  @Mutation(() => ApiKeyView)
  @RequireScopes('api_keys:write')
  async revokeApiKey(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.service.revoke(p.tenantId, id));
  }
}
