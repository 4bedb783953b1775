import { Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { MeView } from './me.dto';
import { MeService } from './me.service';

@Resolver(() => MeView)
export class MeResolver {
  constructor(private readonly service: MeService) {}

  @Query(() => MeView)
  @RequireScopes('me:read')
  me(@CurrentPrincipal() p: Principal): Promise<MeView> {
    return this.service.describe(p);
  }
}
