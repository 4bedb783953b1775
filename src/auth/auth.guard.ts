import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException, ErrorCode } from '../common/app.exception';
import { requestContext } from '../common/request-context';
import { asTenantId, isUuid } from '../database/tenant-id';
import { ApiKeysService } from '../api-keys/api-keys.service';
import { AuthDirectory } from './auth-directory';
import { AuthedRequest, IS_PUBLIC, REQUIRED_SCOPES, requestOf } from './auth.decorators';
import { JwtPassportGuard } from './jwt-passport.guard';
import { TenantRateLimit } from './tenant-rate-limit';
import type { Principal } from './principal';
import { ROLE_SCOPES, Scope } from './scopes';
import type { AccessClaims } from './token.service';

const CREDENTIAL_PARAMS = ['access_token', 'token', 'api_key', 'apikey', 'apiKey', 'jwt', 'refresh_token'];

/**
 * The one place a tenant enters a request: from the verified credential alone.
 *   - `Authorization: Bearer tp_...` is an API key (hashed lookup; scopes from the key);
 *   - any other Bearer token is a user JWT (passport-jwt; HS256, exp, iss, aud).
 * Then: a deleted user or suspended tenant is refused even with a valid token, required scopes
 * are checked (403 naming the missing one), and the tenant's rate limit applies.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwtGuard: JwtPassportGuard,
    private readonly directory: AuthDirectory,
    private readonly apiKeys: ApiKeysService,
    private readonly tenantLimit: TenantRateLimit,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const req = requestOf(ctx);
    this.refuseCredentialsOutsideHeader(req);
    const header = req.headers.authorization;
    if (!header) {
      throw new AppException(ErrorCode.Unauthenticated, 'Missing Authorization header: send "Authorization: Bearer <token>"');
    }
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new AppException(ErrorCode.Unauthenticated, 'Authorization header must be "Bearer <token>"');
    const token = match[1];

    const principal = token.startsWith('tp_') ? await this.apiKeyPrincipal(token) : await this.userPrincipal(ctx, req);
    req.principal = principal;
    const context = requestContext.getStore();
    if (context) context.actor = principal.kind === 'user' ? { kind: 'user', id: principal.userId } : { kind: 'api_key', id: principal.apiKeyId };

    this.tenantLimit.charge(principal.tenantId);

    const required = this.reflector.getAllAndOverride<Scope[] | undefined>(REQUIRED_SCOPES, targets) ?? [];
    const missing = required.filter((s) => !principal.scopes.includes(s));
    if (missing.length > 0) {
      const who = principal.kind === 'api_key' ? 'This API key lacks' : `Your role (${principal.role}) lacks`;
      throw new AppException(ErrorCode.Forbidden, `${who} the scope ${missing.join(', ')}`, { extra: { missingScopes: missing } });
    }
    return true;
  }

  private refuseCredentialsOutsideHeader(req: AuthedRequest): void {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const body = (req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, unknown>;
    const found = CREDENTIAL_PARAMS.find((p) => p in query || p in body);
    if (found) {
      throw new AppException(
        ErrorCode.Unauthenticated,
        `Credentials are accepted only in the Authorization header, not as "${found}" in the query string or body`,
      );
    }
  }

  private async apiKeyPrincipal(token: string): Promise<Principal> {
    const key = await this.apiKeys.authenticate(token);
    if (!key) throw new AppException(ErrorCode.Unauthenticated, 'API key is invalid, expired or revoked');
    if (key.tenantStatus !== 'active') throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    return { kind: 'api_key', tenantId: key.tenantId, apiKeyId: key.apiKeyId, scopes: key.scopes };
  }

  private async userPrincipal(ctx: ExecutionContext, req: AuthedRequest): Promise<Principal> {
    await this.jwtGuard.canActivate(ctx);
    const claims = (req as AuthedRequest & { user?: AccessClaims }).user;
    if (!claims || !isUuid(claims.tid) || !isUuid(claims.sub)) {
      throw new AppException(ErrorCode.Unauthenticated, 'Invalid access token: malformed claims');
    }
    const tenantId = asTenantId(claims.tid);
    const status = await this.directory.principalStatus(tenantId, claims.sub);
    if (!status || status.deleted || status.user_status !== 'active') {
      throw new AppException(ErrorCode.Unauthenticated, 'This user no longer exists or is not active');
    }
    if (status.tenant_status !== 'active') throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    // The role comes from the database, so a demotion applies to tokens already issued.
    return { kind: 'user', tenantId, userId: claims.sub, role: status.role, scopes: ROLE_SCOPES[status.role] };
  }
}
