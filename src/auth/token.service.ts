import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { randomUUID } from 'node:crypto';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { APP_CONFIG } from '../config/app-config';
import type { AppConfig } from '../config/app-config';
import type { TenantId } from '../database/tenant-id';
import { TenantTx } from '../database/tenant-db.service';
import type { UserRole } from '../users/user.entity';
import { RefreshTokenEntity } from './refresh-token.entity';

export interface AccessClaims {
  sub: string;
  tid: string;
  role: UserRole;
  typ: 'access';
}

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresAt: string;
}

/** Refresh tokens name their tenant so the lookup runs inside that tenant, under RLS. */
export function parseRefreshToken(token: string): { tenantId: string } | undefined {
  const m = /^rt\.([0-9a-f-]{36})\.[A-Za-z0-9_-]{40,}$/.exec(token);
  return m?.[1] ? { tenantId: m[1] } : undefined;
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  signAccess(tenantId: TenantId, userId: string, role: UserRole): string {
    const claims: AccessClaims = { sub: userId, tid: tenantId, role, typ: 'access' };
    return this.jwt.sign(claims, {
      algorithm: 'HS256',
      issuer: this.config.jwt.issuer,
      audience: this.config.jwt.audience,
      expiresIn: this.config.jwt.accessTtlSeconds,
      jwtid: randomUUID(),
    });
  }

  /** Issues an access token and a new refresh token in `familyId` (a new family on login). */
  async issuePair(tx: TenantTx, userId: string, role: UserRole, familyId: string = randomUUID()): Promise<TokenPair> {
    const refreshToken = `rt.${tx.tenantId}.${randomToken(32)}`;
    const expiresAt = new Date(this.clock.now().getTime() + this.config.jwt.refreshTtlSeconds * 1000);
    await tx.repo(RefreshTokenEntity).insert({ userId, familyId, tokenHash: sha256Hex(refreshToken), expiresAt });
    return {
      accessToken: this.signAccess(tx.tenantId, userId, role),
      tokenType: 'Bearer',
      expiresIn: this.config.jwt.accessTtlSeconds,
      refreshToken,
      refreshExpiresAt: expiresAt.toISOString(),
    };
  }
}
