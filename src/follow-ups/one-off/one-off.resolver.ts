import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { actorOf } from '../../auth/principal';
import { OneOffMessageView, SendMessageDto } from './one-off.dto';
import { SendOneOffUseCase } from './send-one-off.usecase';

@Resolver(() => OneOffMessageView)
export class OneOffResolver {
  constructor(private readonly sendOneOff: SendOneOffUseCase) {}

  @Mutation(() => OneOffMessageView, { description: 'Send a one-off message (same consent, window and dispatch path as a follow-up).' })
  @RequireScopes('messages:write')
  async sendMessage(@CurrentPrincipal() p: Principal, @Args('input') input: SendMessageDto): Promise<OneOffMessageView> {
    return Object.assign(new OneOffMessageView(), await this.sendOneOff.execute(p.tenantId, input, actorOf(p)));
  }
}
