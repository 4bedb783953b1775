import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireScopes } from '../auth/auth.decorators';
import type { Principal } from '../auth/principal';
import { AuthService } from '../auth/auth.service';
import { AppException, ErrorCode } from '../common/app.exception';
import { MeView } from './me.dto';
import { MeService } from './me.service';

@ApiTags('me')
@ApiBearerAuth()
@Controller('v1/me')
export class MeController {
  constructor(
    private readonly me: MeService,
    private readonly auth: AuthService,
  ) {}

  @Get()
  @RequireScopes('me:read')
  @ApiOperation({ summary: 'Who am I: the user or API key behind this token, its scopes and its firm.' })
  @ApiResponse({ status: 200, type: MeView })
  get(@CurrentPrincipal() p: Principal): Promise<MeView> {
    return this.me.describe(p);
  }

  @Post('verify-email')
  @HttpCode(200)
  @RequireScopes('me:read')
  @ApiOperation({ summary: "Email a new verification link to the signed-in user while their email is not verified (the previous link stops working). An admin's verifies the firm." })
  resendVerification(@CurrentPrincipal() p: Principal): Promise<{ sent: boolean; emailVerified: boolean }> {
    if (p.kind !== 'user') throw new AppException(ErrorCode.Forbidden, 'Only a signed-in user can verify an email address');
    return this.auth.resendVerification(p.tenantId, p.userId);
  }
}
