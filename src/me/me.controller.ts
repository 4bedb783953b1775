import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { MeView } from './me.dto';
import { MeService } from './me.service';

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @RequireScopes('me:read')
  @ApiOperation({ summary: 'Who am I: the user or API key behind this token, its scopes and its firm.' })
  @ApiResponse({ status: 200, type: MeView })
  get(@CurrentPrincipal() p: Principal): Promise<MeView> {
    return this.me.describe(p);
  }
}
