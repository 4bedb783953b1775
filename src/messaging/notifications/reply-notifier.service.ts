import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { DomainEventBus } from '../../events/domain-event-bus';
import { TenancyService } from '../../tenancy/tenancy.service';
import { EMAIL_DRIVER } from '../drivers/driver.types';
import type { EmailDriver } from '../drivers/driver.types';
import { MessageEntity } from '../entities/message.entity';
import { SendersService } from '../senders/senders.service';
import { tenantReplyEmails } from './notification-settings.service';
import { nameAndOwner } from '../../people/people-directory';

interface Recipient {
  email: string;
  name: string;
}

/**
 * "The recruiter hears about every reply." On `message.received`, a reply still open (keywords the
 * system handled itself, such as STOP or HELP, are not) is emailed to the recruiter who owns it,
 * through the same EMAIL_DRIVER as everything else:
 *   - a candidate's reply → the candidate's owner;
 *   - a contact's reply → the owner of the latest follow-up that went to that contact;
 *   - nobody found (no owner, or an unknown sender) → the firm's admins, so no reply goes unseen.
 * Users who turned it off (users.notify_replies) and firms that turned it off
 * (settings.notifications.replyEmails = false) get nothing. A notification is not a message to
 * the person: no messages row, no engagement, never counted as contact.
 */
@Injectable()
export class ReplyNotifier implements OnModuleInit {
  private readonly logger = new Logger(ReplyNotifier.name);

  constructor(
    private readonly bus: DomainEventBus,
    private readonly db: TenantDb,
    private readonly tenancy: TenancyService,
    private readonly senders: SendersService,
    @Inject(EMAIL_DRIVER) private readonly email: EmailDriver,
  ) {}

  onModuleInit(): void {
    this.bus.subscribe('message.received', async (e) => {
      if (typeof e.payload.messageId === 'string') await this.notify(e.tenantId, e.payload.messageId);
    });
  }

  async notify(tenantId: TenantId, messageId: string): Promise<void> {
    const tenant = await this.tenancy.get(tenantId);
    if (!tenantReplyEmails(tenant.settings)) return;
    const found = await this.db.tx(tenantId, async (tx) => {
      const m = await tx.repo(MessageEntity).findOne({ id: messageId });
      if (!m || m.direction !== 'in' || m.replyState !== 'open') return null;
      const person = await nameAndOwner(tx, m.candidateId ? { type: 'candidate', id: m.candidateId } : { type: 'contact', id: m.contactId! });
      const owners = await tx.query<Recipient>(
        `SELECT email, name FROM users
         WHERE tenant_id = $1 AND deleted_at IS NULL AND status = 'active' AND notify_replies
           AND (id = $2 OR ($2::uuid IS NULL AND role = 'admin'))
         ORDER BY created_at`,
        [tx.tenantId, person?.ownerUserId ?? null],
      );
      const sender = await this.senders.resolveIn(tx);
      return { m, personName: person?.name ?? m.fromAddress ?? 'someone unknown', owners, sender };
    });
    if (!found) return;
    const { m, personName, owners, sender } = found;
    const channel = m.channel === 'sms' ? 'a text' : 'an email';
    for (const owner of owners) {
      const outcome = await this.email
        .send({
          messageId: randomUUID(),
          to: owner.email,
          toName: owner.name,
          from: sender.email.fromAddress,
          fromName: `Touchpoint – ${sender.tenantName}`,
          subject: `${personName} replied`,
          text: [
            `Hi ${owner.name.split(/\s+/)[0] ?? owner.name},`,
            '',
            `${personName} sent ${channel}${m.subject ? ` (${m.subject})` : ''}:`,
            '',
            (m.body ?? '').slice(0, 2000),
            '',
            `It waits under "replies to answer" on your agenda. Answer it with POST /v1/messages, or mark it handled with POST /v1/messages/${m.id}/handled.`,
          ].join('\n'),
        })
        .catch((err: unknown) => ({ kind: 'error' as const, err }));
      if (outcome.kind !== 'sent') this.logger.warn({ tenantId, messageId, outcome: outcome.kind }, 'reply notification email was not sent');
    }
  }
}
