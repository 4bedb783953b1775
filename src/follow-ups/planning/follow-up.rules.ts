import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CandidatesService } from '../../candidates/candidates.service';
import { Clock } from '../../common/clock';
import { ContactsService } from '../../contacts/contacts.service';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantTx } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { DomainEventBus } from '../../events/domain-event-bus';
import type { DomainEvent } from '../../events/domain-event-bus';
import { InterviewsService } from '../../interviews/interviews.service';
import { LeadsService } from '../../leads/leads.service';
import { TenancyService } from '../../tenancy/tenancy.service';
import { occurrence } from '../domain/dedupe';
import { FollowUpEntity } from '../follow-up.entity';
import type { FollowUpSettings } from '../tenant-settings';
import { FollowUpPlanner } from './follow-up.planner';

type Payload = Record<string, unknown>;
const CLOSED_LEAD = ['accepted', 'declined', 'rejected', 'withdrawn', 'closed'];

interface Ctx {
  tx: TenantTx;
  settings: FollowUpSettings;
  zone: string;
}

/**
 * The playbook's triggers: domain events in, follow-ups planned, re-planned or cancelled out.
 * Each handler runs after the change committed; it reads what it needs through the owning
 * modules' services and writes only follow-ups. Planning is idempotent (dedupe keys), so a
 * repeated event changes nothing.
 */
@Injectable()
export class FollowUpRules implements OnModuleInit {
  private readonly logger = new Logger(FollowUpRules.name);

  constructor(
    private readonly bus: DomainEventBus,
    private readonly db: TenantDb,
    private readonly planner: FollowUpPlanner,
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const on = (type: string, handler: (e: DomainEvent, p: Payload) => Promise<void>): void => {
      this.bus.subscribe(type, (e) => handler(e, e.payload));
    };
    on('lead.status_changed', (e, p) => this.leadStatusChanged(e.tenantId, p));
    on('interview.scheduled', (e, p) => this.interviewScheduled(e.tenantId, str(p.interviewId)));
    on('interview.rescheduled', (e, p) => this.interviewRescheduled(e.tenantId, str(p.interviewId)));
    on('interview.completed', (e, p) => this.interviewScheduled(e.tenantId, str(p.interviewId)));
    on('interview.cancelled', (e, p) => this.interviewClosed(e.tenantId, str(p.interviewId), 'the interview was cancelled'));
    on('interview.no_show', (e, p) => this.interviewClosed(e.tenantId, str(p.interviewId), 'the interview was a no-show'));
    on('interview.deleted', (e, p) => this.interviewClosed(e.tenantId, str(p.interviewId), 'the interview was deleted'));
    on('references.provided', (e, p) => this.referencesProvided(e.tenantId, p));
    on('candidate.created', (e, p) => this.candidateChanged(e.tenantId, str(p.candidateId)));
    on('candidate.updated', (e, p) => this.candidateChanged(e.tenantId, str(p.candidateId)));
    on('candidate.deleted', (e, p) => this.personGone(e.tenantId, { candidateId: str(p.candidateId) }));
    on('contact.deleted', (e, p) => this.personGone(e.tenantId, { contactId: str(p.contactId) }));
    on('lead.deleted', (e, p) => this.inTenant(e.tenantId, (c) => this.planner.cancel(c.tx, { leadId: str(p.leadId) }, 'the lead was deleted').then(() => undefined)));
    on('message.received', (e, p) => this.replyReceived(e.tenantId, p));
    on('activity.logged', (e, p) => this.activityLogged(e.tenantId, p));
  }

  private async inTenant(tenantId: TenantId, work: (c: Ctx) => Promise<void>): Promise<void> {
    const tenant = await this.tenancy.get(tenantId);
    await this.db.tx(tenantId, (tx) => work({ tx, settings: this.planner.settingsOf(tenant.settings), zone: tenant.timeZone }));
  }

  // --- leads -----------------------------------------------------------------------------------

  private async leadStatusChanged(tenantId: TenantId, p: Payload): Promise<void> {
    const lead = await this.leads.get(tenantId, str(p.leadId));
    const candidate = await this.candidates.get(tenantId, lead.candidateId);
    const employer = lead.employerContactId ? await this.contacts.get(tenantId, lead.employerContactId) : null;
    const referrer = lead.referrerContactId ? await this.contacts.get(tenantId, lead.referrerContactId) : null;
    const from = typeof p.from === 'string' ? p.from : null;
    const to = str(p.to);
    const at = typeof p.at === 'string' ? new Date(p.at) : this.clock.now();
    const now = this.clock.now();
    await this.inTenant(tenantId, async (c) => {
      const common = { candidateId: lead.candidateId, leadId: lead.id, ownerUserId: candidate.ownerUserId };
      // Any status change stops the nudges about this lead.
      await this.planner.cancel(c.tx, { leadId: lead.id, rule: 'no_reply_nudge' }, `the lead moved to ${to}`);
      if (from === 'applied' && to !== 'applied') {
        await this.planner.cancel(c.tx, { leadId: lead.id, rule: 'resume_follow_up' }, `the lead moved to ${to}`);
      }
      if (to === 'applied') {
        const sentAt = lead.resumeSentAt ?? at;
        if (employer) {
          await this.planner.plan(c.tx, c.settings, c.zone, {
            rule: 'resume_follow_up',
            subject: { type: 'lead', id: lead.id },
            recipient: { type: 'contact', id: employer.id, timeZone: employer.timeZone },
            occurrence: occurrence.once(),
            event: { rule: 'resume_follow_up', resumeSentAt: sentAt, now },
            ...common,
          });
        } else {
          await this.planTask(c, 'resume_follow_up', lead.id, candidate.ownerUserId, common, `No employer contact on the ${lead.position} lead at ${lead.company}: follow up on the resume yourself, or add the contact.`);
        }
      }
      if (to === 'offer' && employer) {
        await this.planner.plan(c.tx, c.settings, c.zone, {
          rule: 'offer_thank_you',
          subject: { type: 'lead', id: lead.id },
          recipient: { type: 'contact', id: employer.id, timeZone: employer.timeZone },
          occurrence: occurrence.once(),
          event: { rule: 'offer_thank_you', now },
          ...common,
        });
      }
      if (CLOSED_LEAD.includes(to)) {
        await this.planner.cancel(c.tx, { leadId: lead.id, rule: ['resume_follow_up', 'offer_thank_you', 'interview_confirmation', 'reference_heads_up'] }, `the lead is ${to}`);
      }
      // Referrers hear about every status change once the lead's first follow-up went out.
      if (referrer && from !== null && (await this.leadHadFollowUpSent(c.tx, lead.id))) {
        await this.planReferralUpdate(c, lead.id, referrer, to, common);
      }
    });
  }

  private async planReferralUpdate(
    c: Ctx,
    leadId: string,
    referrer: { id: string; timeZone: string | null },
    status: string,
    common: { candidateId: string; leadId: string; ownerUserId: string | null },
  ): Promise<void> {
    await this.planner.plan(c.tx, c.settings, c.zone, {
      rule: 'referral_update',
      subject: { type: 'lead', id: leadId },
      recipient: { type: 'contact', id: referrer.id, timeZone: referrer.timeZone },
      occurrence: occurrence.leadStatus(status),
      event: { rule: 'referral_update', now: this.clock.now() },
      ...common,
    });
  }

  /**
   * After a follow-up is sent: a reply-expecting one waits for a polite nudge; the lead's first
   * one starts the referral updates; a message to a candidate restarts their check-in clock.
   */
  async afterSent(
    tenantId: TenantId,
    sent: FollowUpEntity,
    ctx: { settings: FollowUpSettings; tenantZone: string; recipientZone: string | null },
  ): Promise<void> {
    const lead = sent.leadId && sent.rule !== 'referral_update' ? await this.leads.get(tenantId, sent.leadId) : null;
    const referrer = lead?.referrerContactId ? await this.contacts.get(tenantId, lead.referrerContactId) : null;
    const candidate = sent.recipientCandidateId ? await this.candidates.get(tenantId, sent.recipientCandidateId) : null;
    await this.db.tx(tenantId, async (tx) => {
      const c: Ctx = { tx, settings: ctx.settings, zone: ctx.tenantZone };
      const nudging = await this.planner.afterSent(tx, sent, ctx);
      if (lead && referrer) {
        await this.planReferralUpdate(c, lead.id, referrer, lead.status, { candidateId: lead.candidateId, leadId: lead.id, ownerUserId: sent.ownerUserId });
      }
      // While a nudge waits for the candidate, it covers the silence; the check-in clock restarts
      // after the last message of the chain, so nobody gets a nudge and a check-in at once.
      if (candidate && candidate.status === 'active' && sent.sentAt && !nudging) {
        await this.resetCheckIn(c, candidate.id, candidate.timeZone, candidate.ownerUserId, sent.sentAt);
      }
    });
  }

  private async leadHadFollowUpSent(tx: TenantTx, leadId: string): Promise<boolean> {
    const rows = await tx.query(`SELECT 1 FROM follow_ups WHERE tenant_id = $1 AND lead_id = $2 AND status = 'sent' AND rule <> 'referral_update' LIMIT 1`, [tx.tenantId, leadId]);
    return rows.length > 0;
  }

  private async planTask(c: Ctx, rule: 'resume_follow_up', subjectId: string, ownerUserId: string | null, common: object, note: string): Promise<void> {
    await this.planner.plan(c.tx, c.settings, c.zone, {
      rule,
      kind: 'task',
      subject: { type: 'lead', id: subjectId },
      recipient: { type: 'user', id: ownerUserId ?? 'unassigned', timeZone: null },
      occurrence: occurrence.once(),
      event: { rule: 'resume_follow_up', resumeSentAt: this.clock.now(), now: this.clock.now() },
      note,
      ...common,
    });
  }

  // --- interviews ------------------------------------------------------------------------------

  /** Scheduled (or completed): confirmations, thank-yous to each interviewer, and the reminder. */
  private async interviewScheduled(tenantId: TenantId, interviewId: string): Promise<void> {
    const { interview, interviewerIds } = await this.interviews.get(tenantId, interviewId);
    if (['cancelled', 'no_show'].includes(interview.status)) return;
    const lead = await this.leads.get(tenantId, interview.leadId);
    const candidate = await this.candidates.get(tenantId, interview.candidateId);
    const now = this.clock.now();
    const endsAt = new Date(interview.startsAt.getTime() + interview.durationMinutes * 60_000);
    const occ = occurrence.startsAt(interview.startsAt);
    const common = { candidateId: candidate.id, leadId: lead.id, interviewId: interview.id, ownerUserId: candidate.ownerUserId };
    const confirmWith = interview.scheduledByContactId ?? lead.employerContactId;
    const staffing = interview.scheduledBy === 'staffing_firm' ? interview.scheduledByContactId : null;
    const people = await this.contacts.findByIds(tenantId, [...interviewerIds, ...(confirmWith ? [confirmWith] : []), ...(staffing ? [staffing] : [])]);
    const byId = new Map(people.map((p) => [p.id, p]));
    await this.inTenant(tenantId, async (c) => {
      const subject = { type: 'interview' as const, id: interview.id };
      if (interview.status === 'scheduled') {
        await this.planner.plan(c.tx, c.settings, c.zone, {
          rule: 'interview_confirmation', subject, occurrence: occ, ...common,
          recipient: { type: 'candidate', id: candidate.id, timeZone: candidate.timeZone },
          event: { rule: 'interview_confirmation', startsAt: interview.startsAt, now },
        });
        const other = confirmWith ? byId.get(confirmWith) : undefined;
        if (other) {
          await this.planner.plan(c.tx, c.settings, c.zone, {
            rule: 'interview_confirmation', subject, occurrence: occ, ...common,
            recipient: { type: 'contact', id: other.id, timeZone: other.timeZone },
            event: { rule: 'interview_confirmation', startsAt: interview.startsAt, now },
          });
        }
      }
      const thanked = new Set<string>();
      for (const id of [...interviewerIds, ...(staffing ? [staffing] : [])]) {
        const person = byId.get(id);
        if (!person || thanked.has(id)) continue;
        thanked.add(id);
        await this.planner.plan(c.tx, c.settings, c.zone, {
          rule: 'interview_thank_you', subject, occurrence: occ, ...common,
          recipient: { type: 'contact', id: person.id, timeZone: person.timeZone },
          event: { rule: 'interview_thank_you', endsAt, now },
        });
      }
      await this.planner.plan(c.tx, c.settings, c.zone, {
        rule: 'thank_you_reminder', subject, occurrence: occ, ...common,
        recipient: { type: 'candidate', id: candidate.id, timeZone: candidate.timeZone },
        event: { rule: 'thank_you_reminder', endsAt, now },
      });
    });
  }

  /** A moved interview: what was planned for the old time is cancelled, the new time planned. */
  private async interviewRescheduled(tenantId: TenantId, interviewId: string): Promise<void> {
    const { interview } = await this.interviews.get(tenantId, interviewId);
    await this.inTenant(tenantId, async (c) => {
      await this.planner.cancel(c.tx, { interviewId, notOccurrence: occurrence.startsAt(interview.startsAt) }, 'the interview was rescheduled');
    });
    await this.interviewScheduled(tenantId, interviewId);
  }

  private async interviewClosed(tenantId: TenantId, interviewId: string, reason: string): Promise<void> {
    await this.inTenant(tenantId, async (c) => {
      await this.planner.cancel(c.tx, { interviewId }, reason);
    });
  }

  // --- references ------------------------------------------------------------------------------

  private async referencesProvided(tenantId: TenantId, p: Payload): Promise<void> {
    const leadId = str(p.leadId);
    const contactIds = Array.isArray(p.contactIds) ? p.contactIds.filter((x): x is string => typeof x === 'string') : [];
    const lead = await this.leads.get(tenantId, leadId);
    const candidate = await this.candidates.get(tenantId, lead.candidateId);
    const people = await this.contacts.findByIds(tenantId, contactIds);
    await this.inTenant(tenantId, async (c) => {
      for (const person of people) {
        await this.planner.plan(c.tx, c.settings, c.zone, {
          rule: 'reference_heads_up',
          subject: { type: 'lead', id: leadId },
          recipient: { type: 'contact', id: person.id, timeZone: person.timeZone },
          occurrence: occurrence.once(),
          event: { rule: 'reference_heads_up', now: this.clock.now() },
          candidateId: candidate.id,
          leadId,
          ownerUserId: candidate.ownerUserId,
        });
      }
    });
  }

  // --- people ----------------------------------------------------------------------------------

  /** Active candidates get a check-in when the quiet period ends; placed or inactive ones don't. */
  private async candidateChanged(tenantId: TenantId, candidateId: string): Promise<void> {
    const candidate = await this.candidates.get(tenantId, candidateId);
    await this.inTenant(tenantId, async (c) => {
      if (candidate.status !== 'active') {
        await this.planner.cancel(c.tx, { recipientCandidateId: candidateId, rule: 'candidate_check_in' }, `the candidate is ${candidate.status}`);
        return;
      }
      const pending = await c.tx.query(
        `SELECT 1 FROM follow_ups WHERE tenant_id = $1 AND recipient_candidate_id = $2 AND rule = 'candidate_check_in' AND status IN ('planned', 'awaiting_approval') LIMIT 1`,
        [c.tx.tenantId, candidateId],
      );
      if (pending.length === 0) await this.resetCheckIn(c, candidateId, candidate.timeZone, candidate.ownerUserId, this.clock.now());
    });
  }

  /** Any message in or out restarts a candidate's quiet period. */
  async resetCheckIn(c: Ctx, candidateId: string, timeZone: string | null, ownerUserId: string | null, lastContactAt: Date): Promise<void> {
    await this.planner.cancel(c.tx, { recipientCandidateId: candidateId, rule: 'candidate_check_in' }, 'there was contact; the quiet period restarts');
    await this.planner.plan(c.tx, c.settings, c.zone, {
      rule: 'candidate_check_in',
      subject: { type: 'candidate', id: candidateId },
      recipient: { type: 'candidate', id: candidateId, timeZone },
      // One check-in per quiet period, keyed by the contact that started it: a repeated event
      // plans nothing new, while any later contact (even the same day) restarts the clock.
      occurrence: `after:${lastContactAt.toISOString()}`,
      event: { rule: 'candidate_check_in', lastContactAt, now: this.clock.now() },
      candidateId,
      ownerUserId,
    });
  }

  private async personGone(tenantId: TenantId, who: { candidateId?: string; contactId?: string }): Promise<void> {
    await this.inTenant(tenantId, async (c) => {
      if (who.candidateId) {
        await this.planner.cancel(c.tx, { recipientCandidateId: who.candidateId }, 'the candidate was deleted');
        await this.planner.cancel(c.tx, { candidateId: who.candidateId }, 'the candidate was deleted');
      }
      if (who.contactId) await this.planner.cancel(c.tx, { recipientContactId: who.contactId }, 'the contact was deleted');
    });
  }

  // --- activities ------------------------------------------------------------------------------

  private async activityLogged(tenantId: TenantId, p: Payload): Promise<void> {
    const a = p as unknown as ActivityLoggedPayload;
    if (!a.person?.id || (a.person.type !== 'candidate' && a.person.type !== 'contact')) return;
    if (a.direction === 'in') {
      await this.replyReceived(tenantId, { person: a.person, confirmation: false });
      return;
    }
    const isCandidate = a.person.type === 'candidate';
    const now = this.clock.now();
    if (a.kind === 'call' || a.channel === 'phone') {
      await this.inTenant(tenantId, async (c) => {
        const done = await c.tx.query<{ id: string; rule: string }>(
          `WITH done AS (
             UPDATE follow_ups SET status = 'sent', reason = 'call logged', sent_at = $3, updated_at = $3
             WHERE tenant_id = $1 AND kind = 'task' AND channel = 'phone' AND status IN ('planned', 'awaiting_approval')
               AND ${isCandidate ? 'recipient_candidate_id' : 'recipient_contact_id'} = $2
             RETURNING id, rule)
           SELECT id, rule FROM done`,
          [c.tx.tenantId, a.person.id, now],
        );
        for (const r of done) c.tx.emit('follow_up.sent', { followUpId: r.id, rule: r.rule, reason: 'call logged' }, { kind: 'system' });
      });
    }
    if (isCandidate) {
      const candidate = await this.candidates.get(tenantId, a.person.id);
      if (candidate.status === 'active') {
        await this.inTenant(tenantId, (c) => this.resetCheckIn(c, candidate.id, candidate.timeZone, candidate.ownerUserId, now));
      }
    }
  }

  // --- replies ---------------------------------------------------------------------------------

  /**
   * The reply hook: a reply from a person cancels their pending nudges and restarts their
   * check-in clock. A confirmation keyword from someone asked to confirm an interview confirms it.
   */
  private async replyReceived(tenantId: TenantId, p: Payload): Promise<void> {
    const person = p.person as { type?: string; id?: string } | null;
    if (!person?.id || (person.type !== 'candidate' && person.type !== 'contact')) return;
    const personId = person.id;
    const isCandidate = person.type === 'candidate';
    let confirmInterview: string | undefined;
    await this.inTenant(tenantId, async (c) => {
      await this.planner.cancel(
        c.tx,
        isCandidate ? { recipientCandidateId: personId, rule: 'no_reply_nudge' } : { recipientContactId: personId, rule: 'no_reply_nudge' },
        'they replied',
      );
      if (p.confirmation === true) {
        const rows = await c.tx.query<{ interview_id: string }>(
          `SELECT interview_id FROM follow_ups
           WHERE tenant_id = $1 AND rule = 'interview_confirmation' AND status = 'sent' AND interview_id IS NOT NULL
             AND ${isCandidate ? 'recipient_candidate_id' : 'recipient_contact_id'} = $2
           ORDER BY sent_at DESC LIMIT 1`,
          [c.tx.tenantId, personId],
        );
        confirmInterview = rows[0]?.interview_id;
      }
    });
    if (isCandidate) {
      const candidate = await this.candidates.get(tenantId, personId);
      if (candidate.status === 'active') {
        await this.inTenant(tenantId, (c) => this.resetCheckIn(c, personId, candidate.timeZone, candidate.ownerUserId, this.clock.now()));
      }
    }
    if (confirmInterview) {
      const { interview } = await this.interviews.get(tenantId, confirmInterview);
      if (interview.status === 'scheduled' && interview.startsAt.getTime() > this.clock.now().getTime()) {
        await this.interviews.confirm(tenantId, confirmInterview, { kind: 'system' });
        this.logger.log({ tenantId, interviewId: confirmInterview }, 'interview confirmed by reply');
      }
    }
  }
}

/**
 * A logged activity (issue 8). An inbound one counts as a reply: it goes through the reply hook
 * (nudges stop, the check-in clock restarts). An outbound call completes the person's open call
 * tasks ('sent', reason "call logged"); any outbound activity restarts a candidate's check-in clock.
 */
export interface ActivityLoggedPayload {
  person: { type: 'candidate' | 'contact'; id: string };
  kind: 'call' | 'meeting' | 'note';
  direction: 'in' | 'out';
  channel: 'phone' | 'in_person' | 'other';
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw new Error(`expected a string in the event payload, got ${typeof v}`);
  return v;
}
