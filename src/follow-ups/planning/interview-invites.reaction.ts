import { Injectable, OnModuleInit } from '@nestjs/common';
import { DateTime } from 'luxon';
import { Clock } from '../../common/clock';
import type { TenantTx } from '../../database/tenant-db.service';
import type { DomainEvent } from '../../events/domain-events';
import { DomainEventBus } from '../../events/domain-event-bus';
import { TenancyService } from '../../tenancy/tenancy.service';
import { INVITE_CANCEL, INVITE_UPDATE } from '../compose/invite';
import { firstName } from '../compose/follow-up.composer';
import { FollowUpPlanner } from './follow-up.planner';

/**
 * Calendar invites stay true as an interview changes (issue 16). Everyone who was already sent an
 * interview's invite by email (its confirmation, or an earlier notice) gets, as soon as the
 * sending window allows:
 *   - after a reschedule, or a change of place (address, meeting link, format, zone), an update
 *     (METHOD:REQUEST, same UID, SEQUENCE + 1) with a short note;
 *   - after a cancellation, METHOD:CANCEL (SEQUENCE + 1).
 * Each change is the invite's next revision n, its SEQUENCE; each notice is a one-off follow-up
 * (occurrence `invite:update:<n>` / `invite:cancel:<n>`, requested
 * channel email) planned in the changing transaction, so the dispatcher sends it with the same
 * consent, window, retry and crash rules as everything else; its invite is attached at send time
 * (compose/invite.ts). People not yet invited just get the confirmation, re-planned for the new time.
 */
@Injectable()
export class InterviewInvitesReaction implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly clock: Clock,
    private readonly tenancy: TenancyService,
    private readonly planner: FollowUpPlanner,
  ) {}

  onModuleInit(): void {
    this.bus.react('interview.rescheduled', 'interview-invites.update', (e, tx) => this.notify(tx, e, 'update'));
    this.bus.react('interview.cancelled', 'interview-invites.cancel', (e, tx) => this.notify(tx, e, 'cancel'));
    // Where it happens changed (the address, the meeting link, online or in person): an update too.
    this.bus.react('interview.updated', 'interview-invites.details', (e, tx) => this.notify(tx, e, 'details'), {
      when: (e) => e.payload.fields.some((f) => INVITE_FIELDS.has(f)),
    });
  }

  private async notify(tx: TenantTx, e: DomainEvent<'interview.rescheduled' | 'interview.cancelled' | 'interview.updated'>, kind: 'update' | 'cancel' | 'details'): Promise<void> {
    const { interviewId } = e.payload;
    const invited = await tx.query<{
      recipient_type: 'candidate' | 'contact';
      recipient_candidate_id: string | null;
      recipient_contact_id: string | null;
      owner_user_id: string | null;
      name: string | null;
      time_zone: string | null;
    }>(
      `SELECT DISTINCT ON (f.recipient_candidate_id, f.recipient_contact_id)
              f.recipient_type, f.recipient_candidate_id, f.recipient_contact_id, f.owner_user_id,
              coalesce(c.name, k.name) AS name, coalesce(c.time_zone, k.time_zone) AS time_zone
       FROM follow_ups f
       LEFT JOIN candidates c ON c.tenant_id = f.tenant_id AND c.id = f.recipient_candidate_id
       LEFT JOIN contacts k ON k.tenant_id = f.tenant_id AND k.id = f.recipient_contact_id
       WHERE f.tenant_id = $1 AND f.interview_id = $2 AND f.status = 'sent' AND f.channel = 'email'
         AND (f.rule = 'interview_confirmation' OR (f.rule = 'one_off' AND f.occurrence LIKE 'invite:%'))
       ORDER BY f.recipient_candidate_id, f.recipient_contact_id, f.sent_at DESC`,
      [tx.tenantId, interviewId],
    );
    if (invited.length === 0) return;
    const [about] = await tx.query<{ position: string; company: string; starts_at: Date; duration_minutes: number; time_zone: string | null; location: string | null; meeting_url: string | null; status: string; revisions: number }>(
      `SELECT l.position, l.company, i.starts_at, i.duration_minutes, i.time_zone, i.location, i.meeting_url, i.status,
              (SELECT count(DISTINCT f.occurrence)::int FROM follow_ups f
                WHERE f.tenant_id = i.tenant_id AND f.interview_id = i.id AND f.rule = 'one_off' AND f.occurrence LIKE 'invite:%') AS revisions
       FROM interviews i JOIN leads l ON l.tenant_id = i.tenant_id AND l.id = i.lead_id
       WHERE i.tenant_id = $1 AND i.id = $2`,
      [tx.tenantId, interviewId],
    );
    if (!about) return;
    // A cancelled (or past) interview's place changing is no invite: it is off the calendars.
    if (kind === 'details' && !['scheduled', 'confirmed'].includes(about.status)) return;
    const tenant = await this.tenancy.get(tx.tenantId);
    const now = this.clock.now();
    // This change is the invite's next revision: its SEQUENCE (compose/invite.ts).
    const revision = about.revisions + 1;
    const occurrence = `${kind === 'cancel' ? INVITE_CANCEL : INVITE_UPDATE}${revision}`;
    // A notice not sent yet is superseded (an earlier move, once the interview moves again or is
    // cancelled): only the latest goes. The interview's only one-offs are these notices.
    await this.planner.cancel(tx, { interviewId, rule: 'one_off', kind: 'message', notOccurrence: occurrence }, kind === 'cancel' ? 'the interview was cancelled' : 'the interview changed again');
    for (const p of invited) {
      const zone = p.time_zone ?? about.time_zone ?? tenant.timeZone;
      const when = DateTime.fromJSDate(about.starts_at).setZone(zone).toFormat("cccc, LLLL d 'at' h:mm a ZZZZ");
      const role = `the ${about.position} interview at ${about.company}`;
      const where = about.location ?? (about.meeting_url ? `online: ${about.meeting_url}` : null);
      const subject = kind === 'cancel' ? `Cancelled: ${role}` : kind === 'update' ? `Moved: ${role}, now ${when}` : `Updated: ${role} on ${when}`;
      const body = [
        `Hi ${firstName(p.name ?? '')},`,
        '',
        kind === 'cancel'
          ? `${capitalize(role)} is cancelled. The calendar invite attached removes it from your calendar. I'll be in touch about next steps.`
          : kind === 'update'
            ? `${capitalize(role)} has moved to ${when} (${about.duration_minutes} minutes). The calendar invite attached updates your calendar; let me know if the new time does not work.`
            : `${capitalize(role)} on ${when} is now ${where ? (about.location ? `at ${where}` : where) : 'to be confirmed'}. The calendar invite attached updates your calendar.`,
      ].join('\n');
      const person = p.recipient_type === 'candidate' ? { type: 'candidate' as const, id: p.recipient_candidate_id! } : { type: 'contact' as const, id: p.recipient_contact_id! };
      const rows = await tx.query<{ id: string }>(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, interview_id, recipient_type,
                                 recipient_candidate_id, recipient_contact_id, owner_user_id, occurrence, due_at, requires_approval,
                                 subject, body, requested_channel, created_at, updated_at)
         VALUES ($1, 'one_off', 'message', $2, 'planned', $3, $4, $5, $6, $7, $8, $9, $10, $11, false, $12, $13, 'email', $11, $11)
         ON CONFLICT (tenant_id, dedupe_key) DO NOTHING
         RETURNING id`,
        [
          tx.tenantId,
          `${tx.tenantId}:one_off:interview:${interviewId}:${person.type}:${person.id}:${occurrence}`,
          e.payload.candidateId,
          e.payload.leadId,
          interviewId,
          person.type,
          p.recipient_candidate_id,
          p.recipient_contact_id,
          p.owner_user_id,
          occurrence,
          now,
          subject,
          body,
        ],
      );
      if (rows[0]) tx.emit('follow_up.planned', { followUpId: rows[0].id, rule: 'one_off', person }, { kind: 'system' });
    }
    tx.afterCommit(() => this.planner.notifyDue(now));
  }
}

/** The interview fields its invite shows (besides the time, which moves by reschedule). */
const INVITE_FIELDS: ReadonlySet<string> = new Set(['location', 'meetingUrl', 'format', 'timeZone']);

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
