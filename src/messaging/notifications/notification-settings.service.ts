import { Injectable } from '@nestjs/common';
import { AppException } from '../../common/app.exception';
import { Clock } from '../../common/clock';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { TenancyService } from '../../tenancy/tenancy.service';
import { UserEntity } from '../../users/user.entity';

/** Reply notification emails: on by default, per tenant (tenants.settings.notifications) and per user (users.notify_replies). */
export function tenantReplyEmails(settings: Record<string, unknown> | null | undefined): boolean {
  const n = settings?.notifications;
  return !(typeof n === 'object' && n !== null && (n as Record<string, unknown>).replyEmails === false);
}

@Injectable()
export class NotificationSettingsService {
  constructor(
    private readonly db: TenantDb,
    private readonly tenancy: TenancyService,
    private readonly clock: Clock,
  ) {}

  async forTenant(tenantId: TenantId): Promise<{ replyEmails: boolean }> {
    return { replyEmails: tenantReplyEmails((await this.tenancy.get(tenantId)).settings) };
  }

  async updateTenant(tenantId: TenantId, replyEmails: boolean, actor: { kind: 'user' | 'api_key'; id: string }): Promise<{ replyEmails: boolean }> {
    const t = await this.tenancy.updateSettings(
      tenantId,
      (current) => {
        const n = typeof current.notifications === 'object' && current.notifications !== null ? (current.notifications as Record<string, unknown>) : {};
        return { ...current, notifications: { ...n, replyEmails } };
      },
      actor,
    );
    return { replyEmails: tenantReplyEmails(t.settings) };
  }

  async forUser(tenantId: TenantId, userId: string): Promise<{ replyEmails: boolean }> {
    const u = await this.db.tx(tenantId, (tx) => tx.repo(UserEntity).findOne({ id: userId }));
    if (!u) throw AppException.notFound('User');
    return { replyEmails: u.notifyReplies };
  }

  async updateUser(tenantId: TenantId, userId: string, replyEmails: boolean): Promise<{ replyEmails: boolean }> {
    const n = await this.db.tx(tenantId, (tx) => tx.repo(UserEntity).update({ id: userId }, { notifyReplies: replyEmails, updatedAt: this.clock.now() }));
    if (n === 0) throw AppException.notFound('User');
    return { replyEmails };
  }
}
