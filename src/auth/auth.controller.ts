import { Body, Controller, Delete, HttpCode, Inject, Ip, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { RateLimiter } from '../common/rate-limiter';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UserView } from '../users/dto/user.dto';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { AcceptInviteDto, LoginDto, LogoutDto, RefreshDto, SessionView, SignupDto, SignupView, TokenPairView } from './dto/auth.dto';
import { clearRefreshCookie, readRefreshCookie, REFRESH_MODE_HEADER, setRefreshCookie, wantsRefreshCookie } from './refresh-cookie';
import type { TokenPair } from './token.service';

const COOKIE_HEADER = {
  name: 'Touchpoint-Refresh',
  required: false,
  description: "'cookie': keep the refresh token in an httpOnly, SameSite=Strict cookie scoped to /v1/auth/refresh instead of the JSON body (browsers).",
};

@ApiTags('auth')
@Public()
@Controller('v1/auth')
export class AuthController {
  private readonly byIp: RateLimiter;
  private readonly byEmail: RateLimiter;
  /** The refresh cookie is Secure whenever the public URL is https. */
  private readonly secureCookie: boolean;

  constructor(
    private readonly auth: AuthService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.byIp = new RateLimiter(config.rateLimit.loginPerMinute * 3, 60_000);
    this.byEmail = new RateLimiter(config.rateLimit.loginPerMinute, 60_000);
    this.secureCookie = config.publicUrl.startsWith('https:');
  }

  @Post('signup')
  @ApiOperation({ summary: 'Create a staffing firm (tenant) and its first admin; returns a session.' })
  @ApiResponse({ status: 201, type: SignupView })
  @ApiHeader(COOKIE_HEADER)
  async signup(@Ip() ip: string, @Body() dto: SignupDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignupView> {
    this.limit(`signup:${ip}`, this.byIp);
    const { tenant, user, tokens } = await this.auth.signup(dto);
    return {
      ...this.deliver(tokens, req, reply),
      user: UserView.of(user),
      tenant: { id: tenant.id, name: tenant.name, timeZone: tenant.timeZone, webhookKey: tenant.webhookKey },
    };
  }

  @Post('login')
  @HttpCode(200)
  @ApiOperation({ summary: 'Sign in with email and password.' })
  @ApiResponse({ status: 200, type: SessionView })
  @ApiHeader(COOKIE_HEADER)
  async login(@Ip() ip: string, @Body() dto: LoginDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionView> {
    this.limit(`login:${ip}`, this.byIp);
    this.limit(`login:${dto.email.toLowerCase()}`, this.byEmail);
    const { user, tokens } = await this.auth.login(dto.email, dto.password);
    return { ...this.deliver(tokens, req, reply), user: UserView.of(user) };
  }

  @Post('refresh')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Exchange a refresh token for a new pair. Each refresh token works once.',
    description: 'Send { refreshToken } in the body; or, for a browser session, no token and the header Touchpoint-Refresh: cookie (the token is the tp_refresh cookie, and the new one replaces it).',
  })
  @ApiResponse({ status: 200, type: TokenPairView })
  @ApiHeader(COOKIE_HEADER)
  async refresh(@Ip() ip: string, @Body() dto: RefreshDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<TokenPairView> {
    this.limit(`refresh:${ip}`, this.byIp);
    const token = dto.refreshToken ?? this.cookieToken(req);
    try {
      return this.deliver(await this.auth.refresh(token), req, reply);
    } catch (err) {
      // A refused cookie is of no further use: the browser forgets it.
      if (dto.refreshToken === undefined) clearRefreshCookie(reply, this.secureCookie);
      throw err;
    }
  }

  @Delete('refresh')
  @HttpCode(204)
  @ApiOperation({ summary: "Sign a browser session out: revokes the tp_refresh cookie's login (header Touchpoint-Refresh: cookie) and clears the cookie." })
  @ApiHeader(COOKIE_HEADER)
  async endCookieSession(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<void> {
    const token = this.cookieToken(req);
    clearRefreshCookie(reply, this.secureCookie);
    await this.auth.logout(token);
  }

  @Post('logout')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke the refresh token and every token rotated from the same login.' })
  async logout(@Body() dto: LogoutDto): Promise<void> {
    await this.auth.logout(dto.refreshToken);
  }

  @Post('accept-invite')
  @HttpCode(200)
  @ApiOperation({ summary: 'Set a password with a one-time invite token; returns a session.' })
  @ApiResponse({ status: 200, type: SessionView })
  @ApiHeader(COOKIE_HEADER)
  async acceptInvite(@Ip() ip: string, @Body() dto: AcceptInviteDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SessionView> {
    this.limit(`invite:${ip}`, this.byIp);
    const { user, tokens } = await this.auth.acceptInvite(dto.inviteToken, dto.password);
    return { ...this.deliver(tokens, req, reply), user: UserView.of(user) };
  }

  /** JSON clients get the pair in the body; a browser that asked for the cookie gets the refresh token only as the cookie. */
  private deliver(tokens: TokenPair, req: FastifyRequest, reply: FastifyReply): TokenPairView {
    if (!wantsRefreshCookie(req)) return tokens;
    const { refreshToken, ...rest } = tokens;
    setRefreshCookie(reply, refreshToken, new Date(tokens.refreshExpiresAt), this.secureCookie);
    return rest;
  }

  /** The cookie, only with the opt-in header (a cross-site form cannot send one). */
  private cookieToken(req: FastifyRequest): string {
    const token = wantsRefreshCookie(req) ? readRefreshCookie(req) : undefined;
    if (!token) {
      throw AppException.validation([{ field: 'refreshToken', message: `is required (or, for a browser session, the tp_refresh cookie with the header ${REFRESH_MODE_HEADER}: cookie)` }]);
    }
    return token;
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
