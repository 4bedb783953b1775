import { Injectable } from '@nestjs/common';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { ApiKeyView } from '../api-keys/dto/api-key.dto';
import type { Principal } from '../auth/principal';
import { TenancyService } from '../tenancy/tenancy.service';
import { UserView } from '../users/dto/user.dto';
import { UsersService } from '../users/users.service';
import { MeView, TenantView } from './me.dto';

@Injectable()
export class MeService {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async describe(p: Principal): Promise<MeView> {
    const [tenant, user, apiKey] = await Promise.all([
      this.tenancy.get(p.tenantId),
      p.kind === 'user' ? this.users.get(p.tenantId, p.userId) : undefined,
      p.kind === 'api_key' ? this.apiKeys.get(p.tenantId, p.apiKeyId) : undefined,
    ]);
    return {
      kind: p.kind,
      user: user ? UserView.of(user) : null,
      apiKey: apiKey ? ApiKeyView.of(apiKey) : null,
      scopes: [...p.scopes],
      tenant: TenantView.of(tenant),
    };
  }
}
