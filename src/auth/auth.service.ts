import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { isUniqueViolation } from '../common/db-errors';
import { TenantDb } from '../database/tenant-db.service';
import { asTenantId, TenantId } from '../database/tenant-id';
import { TenantEntity } from '../tenancy/tenant.entity';
import { UserEntity } from '../users/user.entity';
import { AuthDirectory } from './auth-directory';
import { dummyPasswordHash, hashPassword, passwordWeakness, verifyPassword } from './password';
import { RefreshTokenEntity } from './refresh-token.entity';
import { parseRefreshToken, TokenPair, TokenService } from './token.service';

const INVALID_LOGIN = 'Email or password is incorrect';

@Injectable()
export class AuthService {
  constructor(
    private readonly db: TenantDb,
    private readonly directory: AuthDirectory,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
  ) {}

  /** Creates a tenant and its first admin, and signs the admin in. */
  async signup(input: { firmName: string; name: string; email: string; password: string; timeZone?: string }): Promise<{
    tenant: TenantEntity;
    user: UserEntity;
    tokens: TokenPair;
  }> {
    const weakness = passwordWeakness(input.password, [input.email, input.name, input.firmName]);
    if (weakness) throw AppException.validation([{ field: 'password', message: weakness }]);
    const passwordHash = await hashPassword(input.password);
    const tenantId = asTenantId(randomUUID());
    try {
      return await this.db.tx(tenantId, async (tx) => {
        const tenant = await tx.manager.getRepository(TenantEntity).save(
          tx.manager.getRepository(TenantEntity).create({
            id: tenantId,
            name: input.firmName,
            webhookKey: `tk_${randomToken(18)}`,
            timeZone: input.timeZone ?? 'UTC',
            status: 'active',
            settings: {},
          }),
        );
        const user = await tx.repo(UserEntity).insert({
          email: input.email.toLowerCase(),
          name: input.name,
          role: 'admin',
          status: 'active',
          passwordHash,
        });
        const tokens = await this.tokens.issuePair(tx, user.id, 'admin');
        tx.emit('tenant.created', { tenantId }, { kind: 'user', id: user.id });
        return { tenant, user, tokens };
      });
    } catch (err) {
      if (isUniqueViolation(err, 'users_email_key')) {
        throw new AppException(ErrorCode.Conflict, 'An account with this email already exists; sign in instead', {
          errors: [{ field: 'email', message: 'is already registered' }],
        });
      }
      throw err;
    }
  }

  async login(email: string, password: string): Promise<{ user: UserEntity; tokens: TokenPair }> {
    const record = await this.directory.findLogin(email);
    // Compare against a dummy hash when there is no such user, so timing reveals nothing.
    const ok = await verifyPassword(password, record?.password_hash ?? (await dummyPasswordHash()));
    if (!record || !ok || record.user_status !== 'active') {
      throw new AppException(ErrorCode.Unauthenticated, INVALID_LOGIN);
    }
    if (record.tenant_status !== 'active') throw new AppException(ErrorCode.Forbidden, "This firm's account is suspended");
    const tenantId = asTenantId(record.tenant_id);
    return this.db.tx(tenantId, async (tx) => {
      const user = await tx.repo(UserEntity).findOne({ id: record.user_id, deletedAt: IsNull() });
      if (!user) throw new AppException(ErrorCode.Unauthenticated, INVALID_LOGIN);
      const tokens = await this.tokens.issuePair(tx, user.id, user.role);
      return { user, tokens };
    });
  }

  /**
   * Rotates a refresh token: the presented one is spent and a new one in the same family is
   * issued. Presenting a spent token again means it was stolen or replayed: the whole family
   * is revoked and the request refused.
   */
  async refresh(refreshToken: string): Promise<TokenPair> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) throw new AppException(ErrorCode.Unauthenticated, 'Refresh token is invalid');
    const tenantId = asTenantId(parsed.tenantId);
    const now = this.clock.now();
    const outcome = await this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(RefreshTokenEntity);
      const row = await repo.findOne({ tokenHash: sha256Hex(refreshToken) });
      if (!row || row.revokedAt) return { error: 'Refresh token is invalid or revoked' } as const;
      if (row.expiresAt <= now) return { error: 'Refresh token has expired; sign in again' } as const;
      // Spend it atomically: only one concurrent refresh can win.
      const spent = await repo.update({ id: row.id, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: now });
      if (spent === 0) {
        await repo.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: now });
        return { error: 'Refresh token was already used; all sessions from that login were signed out' } as const;
      }
      const user = await tx.repo(UserEntity).findOne({ id: row.userId, deletedAt: IsNull() });
      if (!user || user.status !== 'active') return { error: 'This user no longer exists or is not active' } as const;
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tenantId } });
      if (!tenant || tenant.status !== 'active') return { error: "This firm's account is suspended" } as const;
      return { tokens: await this.tokens.issuePair(tx, user.id, user.role, row.familyId) } as const;
    });
    if ('error' in outcome) throw new AppException(ErrorCode.Unauthenticated, outcome.error ?? 'Refresh token is invalid');
    return outcome.tokens;
  }

  /** Signs out one login: its whole refresh family is revoked. Unknown tokens are ignored. */
  async logout(refreshToken: string): Promise<void> {
    const parsed = parseRefreshToken(refreshToken);
    if (!parsed) return;
    const tenantId = asTenantId(parsed.tenantId);
    await this.db.tx(tenantId, async (tx) => {
      const repo = tx.repo(RefreshTokenEntity);
      const row = await repo.findOne({ tokenHash: sha256Hex(refreshToken) });
      if (row) await repo.update({ familyId: row.familyId, revokedAt: IsNull() }, { revokedAt: this.clock.now() });
    });
  }

  async acceptInvite(inviteToken: string, password: string): Promise<{ user: UserEntity; tokens: TokenPair }> {
    const invite = await this.directory.findInvite(sha256Hex(inviteToken));
    if (!invite) throw new AppException(ErrorCode.Unauthenticated, 'Invite token is invalid or already used');
    if (invite.invite_expires_at && invite.invite_expires_at <= this.clock.now()) {
      throw new AppException(ErrorCode.Unauthenticated, 'Invite has expired; ask your admin for a new one');
    }
    const tenantId: TenantId = asTenantId(invite.tenant_id);
    const user0 = await this.db.tx(tenantId, (tx) => tx.repo(UserEntity).findOne({ id: invite.user_id }));
    const weakness = passwordWeakness(password, [user0?.email ?? '', user0?.name ?? '']);
    if (weakness) throw AppException.validation([{ field: 'password', message: weakness }]);
    const passwordHash = await hashPassword(password);
    return this.db.tx(tenantId, async (tx) => {
      const changed = await tx.repo(UserEntity).update(
        { id: invite.user_id, status: 'invited', deletedAt: IsNull() },
        { status: 'active', passwordHash, inviteTokenHash: null, inviteExpiresAt: null, updatedAt: this.clock.now() },
      );
      if (changed === 0) throw new AppException(ErrorCode.Unauthenticated, 'Invite token is invalid or already used');
      const user = await tx.repo(UserEntity).findOne({ id: invite.user_id });
      if (!user) throw new AppException(ErrorCode.Unauthenticated, 'Invite token is invalid or already used');
      tx.emit('user.activated', { userId: user.id }, { kind: 'user', id: user.id });
      return { user, tokens: await this.tokens.issuePair(tx, user.id, user.role) };
    });
  }
}
