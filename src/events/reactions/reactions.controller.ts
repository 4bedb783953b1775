import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/principal';
import { ReactionPage, ReactionQueryDto, ReactionView } from './reaction.dto';
import { ReactionsService } from './reactions.service';

@ApiTags('reactions')
@ApiBearerAuth()
@Controller('v1/reactions')
export class ReactionsController {
  constructor(private readonly reactions: ReactionsService) {}

  @Get()
  @RequireScopes('audit:read')
  @ApiOperation({
    summary:
      'Admins: what the system still has to do because of a change (plan follow-ups, …), or failed to do, with the error and the change it belongs to. Failing ones are retried with backoff.',
  })
  list(@CurrentPrincipal() p: Principal, @Query() q: ReactionQueryDto): Promise<ReactionPage> {
    return this.reactions.list(p.tenantId, q);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @RequireScopes('settings:write')
  @ApiOperation({ summary: 'Admins: run a failing or dead reaction now.' })
  retry(@CurrentPrincipal() p: Principal, @Param('id') id: string): Promise<ReactionView> {
    return this.reactions.retry(p.tenantId, id);
  }
}
