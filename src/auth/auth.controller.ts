import { Body, Controller, Delete, Get, HttpCode, Inject, Ip, Param, Post, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { RateLimiter } from '../common/rate-limiter';
import { htmlPage } from '../common/html-page';
import { escapeXml } from '../messaging/domain/twiml';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import { UserView } from '../users/dto/user.dto';
import { Public } from './auth.decorators';
import { AuthService } from './auth.service';
import { AcceptInviteDto, LoginDto, LogoutDto, RefreshDto, SessionView, SignupDto, SignupView, TokenPairView } from './dto/auth.dto';
import { clearRefreshCookie, readRefreshCookie, REFRESH_MODE_HEADER, setRefreshCookie, wantsRefreshCookie } from './refresh-cookie';
import type { TokenPair } from './token.service';

const INVALID_VERIFICATION = htmlPage('Link not valid', '<p>This confirmation link is not valid: it was used already, or it expired. Signed in, an admin can ask for a new one (POST /v1/me/verify-email).</p>');

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
  @ApiOperation({
    summary: 'Create a staffing firm (tenant) and its first admin; returns a session and emails a verification link.',
    description: "The answer is the same whether or not the email is used in another firm: emails are unique per firm. The firm may text through the platform's Twilio account once the link is used.",
  })
  @ApiResponse({ status: 201, type: SignupView })
  @ApiHeader(COOKIE_HEADER)
  async signup(@Ip() ip: string, @Body() dto: SignupDto, @Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply): Promise<SignupView> {
    this.limit(`signup:${ip}`, this.byIp);
    // Each signup emails the address: at most a few a minute to one address, whoever asks.
    this.limit(`signup:${dto.email.toLowerCase()}`, this.byEmail);
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
    const { user, tokens } = await this.auth.login(dto.email, dto.password, dto.firmId);
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

  @Get('verify-email/:token')
  @ApiProduces('text/html')
  @ApiOperation({ summary: 'The page of a signup verification link: a button that verifies. Changes nothing (mail scanners follow links).' })
  async verifyPage(@Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const target = await this.auth.inspectVerification(token);
    if (!target) {
      void reply.status(404);
      return INVALID_VERIFICATION;
    }
    return htmlPage(
      'Confirm your email address',
      `<p>Confirm ${escapeXml(target.email)} for ${escapeXml(target.firmName)} on Touchpoint?</p><form method="post"><button type="submit">Confirm</button></form>`,
    );
  }

  @Post('verify-email/:token')
  @ApiProduces('text/html')
  @ApiOperation({ summary: "Use a signup verification link (the page's button, or any client): the email, and with it the firm, is verified. Works once." })
  async verifyEmail(@Ip() ip: string, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    this.limit(`verify:${ip}`, this.byIp);
    void reply.header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-store');
    const verified = await this.auth.verifyEmail(token);
    if (!verified) {
      void reply.status(404);
      return INVALID_VERIFICATION;
    }
    void reply.status(200);
    return htmlPage('Email confirmed', `<p>${escapeXml(verified.email)} is confirmed for ${escapeXml(verified.firmName)}. You can close this page.</p>`);
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
