import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { actorOf, requireUser } from '../auth/principal';
import { InvitedUserView, InviteUserDto, UpdateUserDto, UserView } from './dto/user.dto';
import { UsersService } from './users.service';

@ApiTags('users')
@ApiBearerAuth()
@Controller('v1/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @RequireScopes('users:write')
  @ApiOperation({ summary: 'Invite a recruiter or admin (admin). Returns a one-time invite token.' })
  async invite(@CurrentPrincipal() p: Principal, @Body() dto: InviteUserDto): Promise<InvitedUserView> {
    const { user, inviteToken, inviteExpiresAt } = await this.users.invite(p.tenantId, requireUser(p), dto);
    return { user: UserView.of(user), inviteToken, inviteExpiresAt };
  }

  @Get()
  @RequireScopes('users:read')
  async list(@CurrentPrincipal() p: Principal): Promise<{ items: UserView[] }> {
    return { items: (await this.users.list(p.tenantId)).map(UserView.of) };
  }

  @Get(':id')
  @RequireScopes('users:read')
  async get(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<UserView> {
    return UserView.of(await this.users.get(p.tenantId, id));
  }

  @Patch(':id')
  @RequireScopes('users:write')
  async update(@CurrentPrincipal() p: Principal, @Param('id') id: string, @Body() dto: UpdateUserDto): Promise<UserView> {
    return UserView.of(await this.users.update(p.tenantId, actorOf(p), id, dto));
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireScopes('users:write')
  async remove(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<void> {
    await this.users.remove(p.tenantId, actorOf(p), id);
  }
}
