import { Body, Controller, HttpCode, Inject, Ip, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UserView } from '../users/dto/user.dto';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { AcceptInviteDto, LoginDto, RefreshDto, SessionView, SignupDto, SignupView, TokenPairView } from './dto/auth.dto';

@ApiTags('auth')
@Public()
@Controller('v1/auth')
export class AuthController {
  private readonly byIp: RateLimiter;
  private readonly byEmail: RateLimiter;

  constructor(
    private readonly auth: AuthService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.byIp = new RateLimiter(config.rateLimit.loginPerMinute * 3, 60_000);
    this.byEmail = new RateLimiter(config.rateLimit.loginPerMinute, 60_000);
  }

  @Post('signup')
  @ApiOperation({ summary: 'Create a staffing firm (tenant) and its first admin; returns a session.' })
  @ApiResponse({ status: 201, type: SignupView })
  async signup(@Ip() ip: string, @Body() dto: SignupDto): Promise<SignupView> {
    this.limit(`signup:${ip}`, this.byIp);
    const { tenant, user, tokens } = await this.auth.signup(dto);
    return {
      ...tokens,
      user: UserView.of(user),
      tenant: { id: tenant.id, name: tenant.name, timeZone: tenant.timeZone, webhookKey: tenant.webhookKey },
    };
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password.' })
  @ApiResponse({ status: 200, type: SessionView })
  async login(@Ip() ip: string, @Body() dto: LoginDto): Promise<SessionView> {
    this.limit(`login:${ip}`, this.byIp);
    this.limit(`login:${dto.email.toLowerCase()}`, this.byEmail);
    const { user, tokens } = await this.auth.login(dto.email, dto.password);
    return { ...tokens, user: UserView.of(user) };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({ summary: 'Exchange a refresh token for a new pair. Each refresh token works once.' })
  @ApiResponse({ status: 200, type: TokenPairView })
  async refresh(@Ip() ip: string, @Body() dto: RefreshDto): Promise<TokenPairView> {
    this.limit(`refresh:${ip}`, this.byIp);
    return this.auth.refresh(dto.refreshToken);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the refresh token and every token rotated from the same login.' })
  async logout(@Body() dto: RefreshDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @Post('accept-invite')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a password with a one-time invite token; returns a session.' })
  @ApiResponse({ status: 200, type: SessionView })
  async acceptInvite(@Ip() ip: string, @Body() dto: AcceptInviteDto): Promise<SessionView> {
    this.limit(`invite:${ip}`, this.byIp);
    const { user, tokens } = await this.auth.acceptInvite(dto.inviteToken, dto.password);
    return { ...tokens, user: UserView.of(user) };
  }

  private limit(key: string, limiter: RateLimiter): void {
    const retryAfter = limiter.hit(key, this.clock.now().getTime());
    if (retryAfter > 0) {
      throw new AppException(ErrorCode.RateLimited, `Too many attempts; try again in ${retryAfter} seconds`, {
        retryAfterSeconds: retryAfter,
      });
    }
  }
}
