import { Injectable } from '@nestjs/common';
import { ActivitiesService } from '../activities/activities.service';
import { CandidatesService } from '../candidates/candidates.service';
import { ContactsService } from '../contacts/contacts.service';
import type { ActivityEntity } from '../activities/activity.entity';
import { MessagesService } from '../messaging/messages.service';
import type { TenantId } from '../database/tenant-id';
import { InterviewsService } from '../interviews/interviews.service';
import { LeadsService } from '../leads/leads.service';
import { ReferencesService } from '../references/references.service';
import { TimelineEntryView, TimelineKind } from './timeline.dto';

const STATUS_WORDS: Record<string, string> = {
  identified: 'Lead identified',
  applied: 'Applied (resume sent)',
  interviewing: 'Interviewing',
  offer: 'Offer',
  accepted: 'Offer accepted',
  declined: 'Declined',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
};

/**
 * What happened to a candidate, in time order, assembled from the modules that own each
 * part (lead status history, interviews and their reschedules, reference provisions) through
 * their services; also logged activities and messages in and out (issue 8), each only for a caller
 * holding activities:read / messages:read. Those entries keep their shape (kind, direction, channel,
 * time) after erasure; only the content goes.
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly candidates: CandidatesService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly references: ReferencesService,
    private readonly activities: ActivitiesService,
    private readonly messages: MessagesService,
    private readonly contacts: ContactsService,
  ) {}

  async forCandidate(
    tenantId: TenantId,
    candidateId: string,
    include: { activities: boolean; messages: boolean } = { activities: true, messages: true },
  ): Promise<TimelineEntryView[]> {
    await this.candidates.get(tenantId, candidateId); // 404 for unknown ids and other tenants' ids
    const [history, interviews, provisions, leads, activities, messages] = await Promise.all([
      this.leads.historyForCandidate(tenantId, candidateId),
      this.interviews.timelineFor(tenantId, candidateId),
      this.references.timelineFor(tenantId, candidateId),
      this.leads.findByCandidateIds(tenantId, [candidateId]),
      include.activities ? this.activities.forCandidate(tenantId, candidateId) : Promise.resolve([]),
      include.messages ? this.messages.listForPerson(tenantId, { type: 'candidate', id: candidateId }, { limit: 100 }) : Promise.resolve({ items: [] }),
    ]);
    const leadName = new Map(leads.map((l) => [l.id, `${l.position} at ${l.company}`] as const));
    const entries: TimelineEntryView[] = [];
    for (const h of history) {
      entries.push(
        TimelineEntryView.of({
          at: h.changedAt,
          kind: 'lead.status_changed',
          summary: `${STATUS_WORDS[h.toStatus] ?? h.toStatus}: ${h.position} at ${h.company}`,
          leadId: h.leadId,
          from: h.fromStatus,
          to: h.toStatus,
        }),
      );
    }
    for (const i of interviews.interviews) {
      const what = `${i.format.replace('_', ' ')} interview for ${leadName.get(i.leadId) ?? 'a lead'}`;
      const firstStart = interviews.reschedules.find((r) => r.interviewId === i.id)?.previousStartsAt ?? i.startsAt;
      entries.push(TimelineEntryView.of({ at: i.createdAt, kind: 'interview.scheduled', summary: `Scheduled ${what}`, leadId: i.leadId, interviewId: i.id, startsAt: firstStart }));
      if (i.status !== 'scheduled') {
        entries.push(
          TimelineEntryView.of({
            at: i.statusChangedAt,
            kind: `interview.${i.status}` as TimelineKind,
            summary: `${i.status === 'no_show' ? 'No-show at' : capitalise(i.status)} ${what}`,
            leadId: i.leadId,
            interviewId: i.id,
            startsAt: i.startsAt,
          }),
        );
      }
    }
    const interviewById = new Map(interviews.interviews.map((i) => [i.id, i] as const));
    for (const r of interviews.reschedules) {
      const i = interviewById.get(r.interviewId);
      entries.push(
        TimelineEntryView.of({
          at: r.rescheduledAt,
          kind: 'interview.rescheduled',
          summary: `Interview moved${r.reason ? ` (${r.reason})` : ''}`,
          leadId: i?.leadId ?? null,
          interviewId: r.interviewId,
          startsAt: r.newStartsAt,
          previousStartsAt: r.previousStartsAt,
        }),
      );
    }
    for (const { provision, reference } of provisions) {
      entries.push(
        TimelineEntryView.of({
          at: provision.providedAt,
          kind: 'references.provided',
          summary: `Reference (${reference.relationship}) provided to ${leadName.get(provision.leadId) ?? 'a lead'}`,
          leadId: provision.leadId,
          referenceId: reference.id,
          contactId: reference.contactId,
        }),
      );
    }
    entries.push(...activityEntries(activities), ...messageEntries(messages.items));
    return byTime(entries);
  }

  /**
   * A contact's timeline: the messages in and out (with messages:read) and the logged activities
   * (with activities:read), oldest first. 404 for unknown ids and other tenants' ids.
   */
  async forContact(
    tenantId: TenantId,
    contactId: string,
    include: { activities: boolean; messages: boolean } = { activities: true, messages: true },
  ): Promise<TimelineEntryView[]> {
    await this.contacts.get(tenantId, contactId);
    const [activities, messages] = await Promise.all([
      include.activities ? this.activities.forContact(tenantId, contactId) : Promise.resolve([]),
      include.messages ? this.messages.listForPerson(tenantId, { type: 'contact', id: contactId }, { limit: 100 }) : Promise.resolve({ items: [] }),
    ]);
    return byTime([...activityEntries(activities), ...messageEntries(messages.items)]);
  }
}

function byTime(entries: TimelineEntryView[]): TimelineEntryView[] {
  return entries.sort((a, b) => a.at.getTime() - b.at.getTime() || a.kind.localeCompare(b.kind));
}

/** Activities and messages: the shape (what, when, which way) always; the content only while it
 * exists (erasure removes summaries and bodies, and the entries stay). */
function activityEntries(activities: readonly ActivityEntity[]): TimelineEntryView[] {
  return activities.map((a) => {
    const what = `${a.direction === 'in' ? 'Inbound' : 'Outbound'} ${ACTIVITY_WORDS[a.kind]}${a.channel === 'phone' && a.kind !== 'call' ? ' by phone' : ''}`;
    return TimelineEntryView.of({ at: a.occurredAt, kind: 'activity.logged', summary: a.summary ? `${what}: ${a.summary}` : what, activityId: a.id });
  });
}

function messageEntries(messages: readonly { id: string; createdAt: Date; channel: string; direction: string; status: string }[]): TimelineEntryView[] {
  return messages.map((m) => {
    const channel = m.channel === 'sms' ? 'SMS' : 'Email';
    return TimelineEntryView.of({
      at: m.createdAt,
      kind: m.direction === 'in' ? 'message.received' : 'message.sent',
      summary: m.direction === 'in' ? `${channel} received` : `${channel} sent (${m.status})`,
      messageId: m.id,
    });
  });
}

const ACTIVITY_WORDS: Record<string, string> = { call: 'call', meeting: 'meeting', note: 'note' };

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
