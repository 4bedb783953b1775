import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { TenantDb } from '../database/tenant-db.service';
import { asTenantId, isUuid, TenantId } from '../database/tenant-id';
import { TenantEntity } from '../tenancy/tenant.entity';
import { UserEntity } from '../users/user.entity';
import { AccountMailer } from '../messaging/notifications/account-mailer';
import { AuthDirectory } from './auth-directory';
import type { LoginRecord } from './auth-directory';
import { dummyPasswordHash, hashPassword, passwordWeakness, verifyPassword } from './password';
import { RefreshTokenEntity } from './refresh-token.entity';
import { parseRefreshToken, TokenPair, TokenService } from './token.service';

const INVALID_LOGIN = 'Email or password is incorrect';
const VERIFICATION_TTL_MS = 7 * 24 * 3600 * 1000;

/** A verification token names its firm (`ev.<tenant>.<secret>`), so it is matched by hash under that firm's RLS. */
function parseVerificationToken(token: string): TenantId | undefined {
  const m = /^ev\.([0-9a-f-]{36})\.[A-Za-z0-9_-]{40,}$/.exec(token);
  return m?.[1] && isUuid(m[1]) ? asTenantId(m[1]) : undefined;
}

@Injectable()
export class AuthService {
  constructor(
    private readonly db: TenantDb,
    private readonly directory: AuthDirectory,
    private readonly tokens: TokenService,
    private readonly clock: Clock,
    private readonly mailer: AccountMailer,
  ) {}

  /**
   * Creates a tenant and its first admin, signs the admin in, and emails a verification link.
   * The answer never depends on whether the email is used elsewhere: emails are unique per firm,
   * so a new firm never collides with another firm's user (docs/ARCHITECTURE.md, "Emails").
   */
  async signup(input: { firmName: string; name: string; email: string; password: string; timeZone?: string }): Promise<{
    tenant: TenantEntity;
    user: UserEntity;
    tokens: TokenPair;
  }> {
    const weakness = passwordWeakness(input.password, [input.email, input.name, input.firmName]);
    if (weakness) throw AppException.validation([{ field: 'password', message: weakness }]);
    const passwordHash = await hashPassword(input.password);
    const tenantId = asTenantId(randomUUID());
    const verification = this.newVerificationToken(tenantId);
    const created = await this.db.tx(tenantId, async (tx) => {
      const tenant = await tx.manager.getRepository(TenantEntity).save(
        tx.manager.getRepository(TenantEntity).create({
          id: tenantId,
          name: input.firmName,
          webhookKey: `tk_${randomToken(18)}`,
          timeZone: input.timeZone ?? 'UTC',
          status: 'active',
          settings: {},
          emailVerifiedAt: null,
        }),
      );
      const user = await tx.repo(UserEntity).insert({
        email: input.email.toLowerCase(),
        name: input.name,
        role: 'admin',
        status: 'active',
        passwordHash,
        emailVerificationTokenHash: sha256Hex(verification.token),
        emailVerificationExpiresAt: verification.expiresAt,
      });
      const tokens = await this.tokens.issuePair(tx, user.id, 'admin');
      tx.emit('tenant.created', { tenantId }, { kind: 'user', id: user.id });
      return { tenant, user, tokens };
    });
    await this.mailer.sendVerification({ to: created.user.email, name: created.user.name, firmName: created.tenant.name, ...verification });
    return created;
  }

  /** What a verification link is for, without using it (the page a mail scanner may fetch). undefined: not valid. */
  async inspectVerification(token: string): Promise<{ email: string; firmName: string } | undefined> {
    const tenantId = parseVerificationToken(token);
    if (!tenantId) return undefined;
    return this.db.tx(tenantId, async (tx) => {
      const user = await tx.repo(UserEntity).findOne({ emailVerificationTokenHash: sha256Hex(token), deletedAt: IsNull() });
      if (!user || !user.emailVerificationExpiresAt || user.emailVerificationExpiresAt <= this.clock.now()) return undefined;
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tenantId } });
      return tenant ? { email: user.email, firmName: tenant.name } : undefined;
    });
  }

  /**
   * Uses a verification link: the user's email is verified, and with an admin's, the firm's.
   * The token works once. undefined: not valid (unknown, used, expired).
   */
  async verifyEmail(token: string): Promise<{ email: string; firmName: string } | undefined> {
    const tenantId = parseVerificationToken(token);
    if (!tenantId) return undefined;
    const now = this.clock.now();
    return this.db.tx(tenantId, async (tx) => {
      const users = tx.repo(UserEntity);
      const user = await users.findOne({ emailVerificationTokenHash: sha256Hex(token), deletedAt: IsNull() });
      if (!user || !user.emailVerificationExpiresAt || user.emailVerificationExpiresAt <= now) return undefined;
      const spent = await users.update(
        { id: user.id, emailVerificationTokenHash: sha256Hex(token) },
        { emailVerifiedAt: now, emailVerificationTokenHash: null, emailVerificationExpiresAt: null, updatedAt: now },
      );
      if (spent === 0) return undefined;
      const tenants = tx.manager.getRepository(TenantEntity);
      if (user.role === 'admin') await tenants.update({ id: tenantId, emailVerifiedAt: IsNull() }, { emailVerifiedAt: now, updatedAt: now });
      const tenant = await tenants.findOne({ where: { id: tenantId } });
      return { email: user.email, firmName: tenant?.name ?? '' };
    });
  }

  /**
   * A new verification link for the signed-in user while their email is not verified (the old link
   * stops working). An admin's verifies the firm too; anyone's puts their account first at login.
   */
  async resendVerification(tenantId: TenantId, userId: string): Promise<{ sent: boolean; emailVerified: boolean }> {
    const verification = this.newVerificationToken(tenantId);
    const found = await this.db.tx(tenantId, async (tx) => {
      const tenant = await tx.manager.getRepository(TenantEntity).findOne({ where: { id: tenantId } });
      const user = await tx.repo(UserEntity).findOne({ id: userId, deletedAt: IsNull() });
      if (!tenant || !user) throw AppException.notFound('User');
      if (user.emailVerifiedAt) return null;
      await tx.repo(UserEntity).update(
        { id: user.id },
        { emailVerificationTokenHash: sha256Hex(verification.token), emailVerificationExpiresAt: verification.expiresAt, updatedAt: this.clock.now() },
      );
      return { tenant, user };
    });
    if (!found) return { sent: false, emailVerified: true };
    await this.mailer.sendVerification({ to: found.user.email, name: found.user.name, firmName: found.tenant.name, ...verification });
    return { sent: true, emailVerified: false };
  }

  private newVerificationToken(tenantId: TenantId): { token: string; expiresAt: Date } {
    return { token: `ev.${tenantId}.${randomToken(32)}`, expiresAt: new Date(this.clock.now().getTime() + VERIFICATION_TTL_MS) };
  }

  /**
   * Email + password. An email may belong to users of several firms (emails are unique per firm):
   * the password picks the account. When it opens more than one, `firmId` chooses, and without it
   * the answer is a 409 listing those firms (only to someone who knows the password).
   */
  async login(email: string, password: string, firmId?: string): Promise<{ user: UserEntity; tokens: TokenPair }> {
    const records = (await this.directory.findLogins(email)).filter((r) => firmId === undefined || r.tenant_id === firmId);
    const matches: LoginRecord[] = [];
    // Compare against a dummy hash when there is no such user, so timing reveals nothing.
    if (records.length === 0) await verifyPassword(password, await dummyPasswordHash());
    for (const r of records) {
      const ok = await verifyPassword(password, r.password_hash ?? (await dummyPasswordHash()));
      if (ok && r.user_status === 'active') matches.push(r);
    }
    if (matches.length === 0) throw new AppException(ErrorCode.Unauthenticated, INVALID_LOGIN);
    if (matches.length > 1) {
      throw new AppException(ErrorCode.Conflict, 'This email and password sign in to several firms; send firmId to choose one', {
        extra: { firms: matches.map((m) => ({ id: m.tenant_id, name: m.tenant_name })) },
        errors: [{ field: 'firmId', message: `is required: one of ${matches.map((m) => m.tenant_id).join(', ')}` }],
      });
    }
    const record = matches[0]!;
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
