import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { SenderSettingsView, UpdateSenderSettingsDto } from './sender-settings.dto';
import { SendersService } from './senders.service';

@Resolver(() => SenderSettingsView)
export class SendersResolver {
  constructor(private readonly senders: SendersService) {}

  @Query(() => SenderSettingsView)
  @RequireScopes('settings:read')
  senderSettings(@CurrentPrincipal() p: Principal): Promise<SenderSettingsView> {
    return this.senders.get(p.tenantId);
  }

  @Mutation(() => SenderSettingsView)
  @RequireScopes('settings:write')
  updateSenderSettings(@CurrentPrincipal() p: Principal, @Args('input') input: UpdateSenderSettingsDto): Promise<SenderSettingsView> {
    return this.senders.update(p.tenantId, input, actorOf(p));
  }
}
