import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '../../common/clock';
import type { TenantTx } from '../../database/tenant-db.service';
import type { DomainEvent } from '../../events/domain-events';
import { DomainEventBus } from '../../events/domain-event-bus';
import { nameAndOwner } from '../../people/people-directory';
import type { PersonRef } from '../../people/person-ref';
import { FollowUpPlanner } from './follow-up.planner';

/** Occurrence prefix of the recruiter's "fix this email address" tasks. */
export const FIX_EMAIL_TASK = 'fix-email:';
/** A soft-bounced follow-up is sent again this long after the bounce. */
export const SOFT_BOUNCE_RETRY_MS = 60 * 60 * 1000;

/**
 * What the follow-up engine does about bounces (messaging records them and emits email.bounced):
 *   - an address newly undeliverable → a task for the recruiter who owns the person: "Fix the
 *     email address of …" (a follow_ups task, on the agenda's tasks); it is done when the
 *     address is corrected (candidate.updated / contact.updated changing `email`);
 *   - a soft bounce of a follow-up that went out → that follow-up is sent again an hour later
 *     (the next send's channel choice sees the address if it has become undeliverable since).
 */
@Injectable()
export class EmailBouncesReaction implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly clock: Clock,
    private readonly planner: FollowUpPlanner,
  ) {}

  onModuleInit(): void {
    this.bus.react('email.bounced', 'follow-ups.email-bounced', (e, tx) => this.bounced(tx, e));
    const changedEmail = (e: { payload: { fields: string[] } }): boolean => e.payload.fields.includes('email');
    this.bus.react('candidate.updated', 'follow-ups.email-corrected', (e, tx) => this.corrected(tx, { type: 'candidate', id: e.payload.candidateId }), { when: changedEmail });
    this.bus.react('contact.updated', 'follow-ups.email-corrected', (e, tx) => this.corrected(tx, { type: 'contact', id: e.payload.contactId }), { when: changedEmail });
  }

  private async bounced(tx: TenantTx, e: DomainEvent<'email.bounced'>): Promise<void> {
    const p = e.payload;
    const now = this.clock.now();
    if (p.newlyUndeliverable) {
      const who = await nameAndOwner(tx, p.person);
      if (!who) return;
      const on = p.bouncedAt.slice(0, 10);
      const reason = `Fix the email address of ${who.name}: ${p.address} bounced on ${on}${p.diagnostic ? ` (${p.diagnostic.slice(0, 200)})` : ''}`;
      await tx.query(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id,
                                 recipient_contact_id, owner_user_id, occurrence, channel, due_at, requires_approval, reason, created_at, updated_at)
         VALUES ($1, 'one_off', 'task', $2, 'planned', $3, $4, $5, $6, $7, $8, 'email', $9, false, $10, $9, $9)
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING`,
        [
          tx.tenantId,
          `${tx.tenantId}:fix_email:${p.person.type}:${p.person.id}:${p.address.toLowerCase()}:${p.bouncedAt}`,
          p.person.type === 'candidate' ? p.person.id : null,
          p.person.type,
          p.person.type === 'candidate' ? p.person.id : null,
          p.person.type === 'contact' ? p.person.id : null,
          who.ownerUserId,
          `${FIX_EMAIL_TASK}${p.address.toLowerCase()}`,
          now,
          reason,
        ],
      );
      return;
    }
    if (p.bounceType === 'soft' && !p.undeliverable && p.followUpId) {
      // Sent again: back to planned, the crash marker and lease cleared (its attempts count on).
      const due = new Date(now.getTime() + SOFT_BOUNCE_RETRY_MS);
      const rows = await tx.query<{ id: string }>(
        `WITH u AS (
           UPDATE follow_ups SET status = 'planned', due_at = $3, send_started_at = NULL, sent_at = NULL, lease_until = NULL, claimed_by = NULL,
                  reason = $4, updated_at = $5
           WHERE tenant_id = $1 AND id = $2 AND status = 'sent' AND kind = 'message'
           RETURNING id)
         SELECT id FROM u`,
        [tx.tenantId, p.followUpId, due, `soft bounce${p.diagnostic ? ` (${p.diagnostic.slice(0, 200)})` : ''}: sending again`, now],
      );
      if (rows.length > 0) tx.afterCommit(() => this.planner.notifyDue(due));
    }
  }

  private async corrected(tx: TenantTx, person: PersonRef): Promise<void> {
    await tx.query(
      `UPDATE follow_ups SET status = 'sent', reason = 'the email address was corrected', sent_at = $3, updated_at = $3
       WHERE tenant_id = $1 AND ${person.type === 'candidate' ? 'recipient_candidate_id' : 'recipient_contact_id'} = $2
         AND kind = 'task' AND rule = 'one_off' AND occurrence LIKE '${FIX_EMAIL_TASK}%' AND status = 'planned'`,
      [tx.tenantId, person.id, this.clock.now()],
    );
  }
}
