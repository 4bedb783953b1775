import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { requireUser } from '../auth/principal';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyView, CreateApiKeyDto, CreatedApiKeyView, UpdateApiKeyDto } from './dto/api-key.dto';

@ApiTags('api-keys')
@ApiBearerAuth()
@Controller('v1/api-keys')
export class ApiKeysController {
  constructor(private readonly apiKeys: ApiKeysService) {}

  @Post()
  @RequireScopes('api_keys:write')
  @ApiOperation({ summary: 'Create an integration API key (admin). The key is shown once.' })
  async create(@CurrentPrincipal() p: Principal, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyView> {
    const { key, secret } = await this.apiKeys.create(p.tenantId, requireUser(p), dto);
    return { apiKey: ApiKeyView.of(key), secret };
  }

  @Get()
  @RequireScopes('api_keys:read')
  @ApiOperation({ summary: 'List API keys (never the keys themselves).' })
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: ApiKeyView[] }> {
    return { items: (await this.apiKeys.list(p.tenantId)).map(ApiKeyView.of) };
  }

  @Get(':id')
  @RequireScopes('api_keys:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.apiKeys.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('api_keys:write')
  @ApiOperation({ summary: "Change a key's name or scopes (a list, a preset, or both; they replace the old scopes). The key itself stays." })
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateApiKeyDto): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.apiKeys.update(p.tenantId, id, dto));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @RequireScopes('api_keys:write')
  @ApiOperation({ summary: 'Revoke a key. It stops working at once.' })
  async revoke(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ApiKeyView> {
    return ApiKeyView.of(await this.apiKeys.revoke(p.tenantId, id));
  }
}
