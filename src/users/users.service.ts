import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import { AppException, ErrorCode } from '../common/app.exception';
import { Clock } from '../common/clock';
import { randomToken, sha256Hex } from '../common/crypto';
import { isUniqueViolation } from '../common/db-errors';
import { TenantDb, TenantTx } from '../database/tenant-db.service';
import { isUuid, TenantId } from '../database/tenant-id';
import { UserEntity, UserRole } from './user.entity';

type Actor = { kind: 'user' | 'api_key'; id: string };

const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

@Injectable()
export class UsersService {
  constructor(
    private readonly db: TenantDb,
    private readonly clock: Clock,
  ) {}

  /**
   * Invites a recruiter or admin. The invite token is returned once; only its hash is stored.
   * Emails are unique per firm: a user of another firm never blocks (nor is revealed by) an
   * invite. An expired invite to the same address in this firm is released (soft-deleted) first.
   */
  async invite(
    tenantId: TenantId,
    invitedBy: string,
    input: { email: string; name: string; role: UserRole },
  ): Promise<{ user: UserEntity; inviteToken: string; inviteExpiresAt: Date }> {
    const inviteToken = `inv_${randomToken(32)}`;
    const inviteExpiresAt = new Date(this.clock.now().getTime() + INVITE_TTL_MS);
    try {
      const user = await this.db.tx(tenantId, async (tx) => {
        const now = this.clock.now();
        await tx.query(
          `UPDATE users SET deleted_at = $3, invite_token_hash = NULL, updated_at = $3
           WHERE tenant_id = $1 AND lower(email) = lower($2) AND status = 'invited' AND deleted_at IS NULL AND invite_expires_at <= $3`,
          [tx.tenantId, input.email, now],
        );
        const row = await tx.repo(UserEntity).insert({
          email: input.email.toLowerCase(),
          name: input.name,
          role: input.role,
          status: 'invited',
          inviteTokenHash: sha256Hex(inviteToken),
          inviteExpiresAt,
        });
        tx.emit('user.invited', { userId: row.id, role: row.role }, { kind: 'user', id: invitedBy });
        return row;
      });
      return { user, inviteToken, inviteExpiresAt };
    } catch (err) {
      if (isUniqueViolation(err, 'users_tenant_email_key')) {
        throw new AppException(ErrorCode.Conflict, 'A user of this firm (or a pending invite) already has this email', {
          errors: [{ field: 'email', message: 'is already a user of this firm' }],
        });
      }
      throw err;
    }
  }

  list(tenantId: TenantId): Promise<UserEntity[]> {
    return this.db.tx(tenantId, (tx) => tx.repo(UserEntity).find({ deletedAt: IsNull() }, { createdAt: 'ASC', id: 'ASC' }, 1000));
  }

  /** Live users by id, in one query (unknown and deleted ones are left out). */
  findByIds(tenantId: TenantId, ids: readonly string[]): Promise<UserEntity[]> {
    const valid = [...new Set(ids.filter(isUuid))];
    if (valid.length === 0) return Promise.resolve([]);
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(UserEntity, 'u')
        .where('u.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere('u.id = ANY(:ids)', { ids: valid })
        .andWhere('u.deleted_at IS NULL')
        .getMany(),
    );
  }

  /** The firm's longest-standing active admin (who signs messages of candidates nobody owns). */
  async firstActiveAdmin(tenantId: TenantId): Promise<UserEntity | null> {
    return this.db.tx(tenantId, (tx) =>
      tx.manager
        .createQueryBuilder(UserEntity, 'u')
        .where('u.tenant_id = :tenantId', { tenantId: tx.tenantId })
        .andWhere(`u.role = 'admin' AND u.status = 'active' AND u.deleted_at IS NULL`)
        .orderBy('u.created_at', 'ASC')
        .addOrderBy('u.id', 'ASC')
        .getOne(),
    );
  }

  async get(tenantId: TenantId, id: string): Promise<UserEntity> {
    return this.db.tx(tenantId, (tx) => this.load(tx, id));
  }

  /**
   * Renames a user or changes their role. A role change needs a signed-in admin (as an invite
   * does): an API key, even with users:write, could otherwise promote anyone (issue 18). 403,
   * before anything is read or written.
   */
  async update(tenantId: TenantId, actor: Actor, id: string, patch: { name?: string; role?: UserRole }): Promise<UserEntity> {
    if (patch.role !== undefined && actor.kind !== 'user') {
      throw new AppException(ErrorCode.Forbidden, "Changing a user's role needs a signed-in admin, not an API key", {
        errors: [{ field: 'role', message: 'an API key cannot change roles' }],
      });
    }
    return this.db.tx(tenantId, async (tx) => {
      const user = await this.load(tx, id);
      if (patch.role && patch.role !== user.role && user.role === 'admin') await this.assertNotLastAdmin(tx, id);
      const changes: Partial<UserEntity> = { updatedAt: this.clock.now() };
      if (patch.name !== undefined) changes.name = patch.name;
      if (patch.role !== undefined) changes.role = patch.role;
      await tx.repo(UserEntity).update({ id, deletedAt: IsNull() }, changes);
      tx.emit('user.updated', { userId: id, fields: Object.keys(patch) }, actor);
      return this.load(tx, id);
    });
  }

  /** Soft-deletes a user. Their tokens stop working at once (the guard checks every request). */
  async remove(tenantId: TenantId, actor: Actor, id: string): Promise<void> {
    if (actor.kind === 'user' && id === actor.id) throw new AppException(ErrorCode.Conflict, 'You cannot delete yourself');
    await this.db.tx(tenantId, async (tx) => {
      const user = await this.load(tx, id);
      if (user.role === 'admin') await this.assertNotLastAdmin(tx, id);
      await tx.repo(UserEntity).update({ id, deletedAt: IsNull() }, { deletedAt: this.clock.now(), inviteTokenHash: null });
      tx.emit('user.deleted', { userId: id }, actor);
    });
  }

  private async load(tx: TenantTx, id: string): Promise<UserEntity> {
    if (!isUuid(id)) throw AppException.notFound('User');
    const user = await tx.repo(UserEntity).findOne({ id, deletedAt: IsNull() });
    if (!user) throw AppException.notFound('User');
    return user;
  }

  private async assertNotLastAdmin(tx: TenantTx, id: string): Promise<void> {
    const admins = await tx.repo(UserEntity).find({ role: 'admin', status: 'active', deletedAt: IsNull() });
    if (admins.filter((a) => a.id !== id).length === 0) {
      throw new AppException(ErrorCode.Conflict, 'A firm needs at least one active admin');
    }
  }
}
