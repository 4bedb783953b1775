import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf, requireUser } from '../auth/principal';
import { InvitedUserView, InviteUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { UsersService } from './users.service';

@Resolver(() => UserView)
export class UsersResolver {
  constructor(private readonly service: UsersService) {}

  @Query(() => [UserView])
  @RequireScopes('users:read')
  async users(@CurrentPrincipal() p: Principal): Promise<UserView[]> {
    return (await this.service.list(p.tenantId)).map(UserView.of);
  }

  @Query(() => UserView)
  @RequireScopes('users:read')
  async user(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<UserView> {
    return UserView.of(await this.service.get(p.tenantId, id));
  }

  @Mutation(() => InvitedUserView)
  @RequireScopes('users:write')
  async inviteUser(@CurrentPrincipal() p: Principal, @Args('input') input: InviteUserDto): Promise<InvitedUserView> {
    const { user, inviteToken, inviteExpiresAt } = await this.service.invite(p.tenantId, requireUser(p), input);
    return { user: UserView.of(user), inviteToken, inviteExpiresAt };
  }

  @Mutation(() => UserView)
  @RequireScopes('users:write')
  async updateUser(
    @CurrentPrincipal() p: Principal,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateUserDto,
  ): Promise<UserView> {
    return UserView.of(await this.service.update(p.tenantId, actorOf(p), id, input));
  }

  @Mutation(() => Boolean)
  @RequireScopes('users:write')
  async deleteUser(@CurrentPrincipal() p: Principal, @Args('id', { type: () => ID }) id: string): Promise<boolean> {
    await this.service.remove(p.tenantId, actorOf(p), id);
    return true;
  }
}
