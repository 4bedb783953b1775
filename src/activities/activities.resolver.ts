import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf } from '../auth/principal';
import { toConnection } from '../common/graphql/connection';
import { ActivitiesService } from './activities.service';
import { ActivitiesArgs, ActivityConnection, ActivityView, LogActivityDto } from './dto/activity.dto';

@Resolver(() => ActivityView)
export class ActivitiesResolver {
  constructor(private readonly service: ActivitiesService) {}

  @Query(() => ActivityConnection)
  @RequireScopes('activities:read')
  async activities(@CurrentPrincipal() p: Principal, @Args() args: ActivitiesArgs): Promise<ActivityConnection> {
    return toConnection(new ActivityConnection(), await this.service.list(p.tenantId, args, { limit: args.first, cursor: args.after }), ActivityView.of);
  }

  @Query(() => ActivityView)
  @RequireScopes('activities:read')
  async activity(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<ActivityView> {
    return ActivityView.of(await this.service.get(p.tenantId, id));
  }

  @Mutation(() => ActivityView, { description: 'Log a call, meeting or note (an inbound one counts as a reply).' })
  @RequireScopes('activities:write')
  async logActivity(@CurrentPrincipal() p: Principal, @Args('input') input: LogActivityDto): Promise<ActivityView> {
    return ActivityView.of(await this.service.log(p.tenantId, input, actorOf(p)));
  }
}
