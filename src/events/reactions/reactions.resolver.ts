import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ReactionPage, ReactionQueryDto, ReactionView } from './reaction.dto';
import { ReactionsService } from './reactions.service';

@Resolver(() => ReactionView)
export class ReactionsResolver {
  constructor(private readonly service: ReactionsService) {}

  @Query(() => ReactionPage, { description: 'Admins: reactions to changes that have not run yet, are failing, or were given up.' })
  @RequireScopes('audit:read')
  reactions(@CurrentPrincipal() p: Principal, @Args() q: ReactionQueryDto): Promise<ReactionPage> {
    return this.service.list(p.tenantId, q);
  }

  @Mutation(() => ReactionView, { description: 'Admins: run a failing or dead reaction now.' })
  @RequireScopes('settings:write')
  retryReaction(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ReactionView> {
    return this.service.retry(p.tenantId, id);
  }
}
