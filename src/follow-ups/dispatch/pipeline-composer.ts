import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AppException, ErrorCode } from '../../common/app.exception';
import { CandidatesService } from '../../candidates/candidates.service';
import { ContactsService } from '../../contacts/contacts.service';
import type { TenantId } from '../../database/tenant-id';
import { InterviewsService } from '../../interviews/interviews.service';
import { LeadsService } from '../../leads/leads.service';
import { TenancyService } from '../../tenancy/tenancy.service';
import { UsersService } from '../../users/users.service';
import type { TemplateVars } from '../domain/templates';
import { resolveZone } from '../domain/windows';
import type { FollowUpEntity } from '../follow-up.entity';
import type { Composition, FollowUpComposer, Recipient } from './ports';

const OPEN_LEAD = ['identified', 'applied', 'interviewing', 'offer'];

/**
 * Composes a follow-up from the pipeline's CURRENT data through the pipeline services, so the
 * message that goes out is the one today's data calls for: a corrected email or a moved
 * interview is what the recipient sees. When the data no longer calls for the follow-up (the
 * lead left `applied`, the interview was cancelled, the person was deleted), it is cancelled.
 */
@Injectable()
export class PipelineComposer implements FollowUpComposer {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly users: UsersService,
  ) {}

  async compose(tenantId: TenantId, f: FollowUpEntity): Promise<Composition> {
    try {
      return await this.build(tenantId, f);
    } catch (err) {
      if (err instanceof AppException && err.code === ErrorCode.NotFound) return { kind: 'cancel', reason: `${err.detail.replace(/ not found$/, '')} no longer exists` };
      throw err;
    }
  }

  private async build(tenantId: TenantId, f: FollowUpEntity): Promise<Composition> {
    const tenant = await this.tenancy.get(tenantId);
    const recipient = await this.recipient(tenantId, f);
    if (!recipient) return { kind: 'cancel', reason: 'the follow-up has no recipient' };
    const zone = resolveZone(recipient.timeZone, tenant.timeZone);
    const vars: Record<string, string> = {
      recipientName: recipient.name,
      recipientFirstName: firstName(recipient.name),
      firmName: tenant.name,
    };

    const candidateId = f.candidateId ?? f.recipientCandidateId;
    let ownerUserId: string | null = f.ownerUserId;
    if (candidateId) {
      const candidate = await this.candidates.get(tenantId, candidateId);
      if (f.rule === 'candidate_check_in' && candidate.status !== 'active') return { kind: 'cancel', reason: `the candidate is ${candidate.status}` };
      vars.candidateName = candidate.name;
      vars.candidateFirstName = firstName(candidate.name);
      ownerUserId ??= candidate.ownerUserId;
    }
    const recruiter = await this.recruiter(tenantId, ownerUserId);
    vars.recruiterName = recruiter.name;
    vars.recruiterEmail = recruiter.email;

    if (f.leadId) {
      const lead = await this.leads.get(tenantId, f.leadId);
      if (f.rule === 'resume_follow_up' && lead.status !== 'applied') return { kind: 'cancel', reason: `the lead moved on to ${lead.status}` };
      if (f.rule === 'no_reply_nudge' && !OPEN_LEAD.includes(lead.status)) return { kind: 'cancel', reason: `the lead is ${lead.status}` };
      vars.company = lead.company;
      vars.position = lead.position;
      vars.leadStatus = lead.status.replace(/_/g, ' ');
      if (lead.referrerContactId) vars.referrerName = (await this.contacts.get(tenantId, lead.referrerContactId)).name;
    }
    if (f.interviewId) {
      const { interview, interviewerIds } = await this.interviews.get(tenantId, f.interviewId);
      if (f.rule === 'interview_confirmation' && !['scheduled', 'confirmed'].includes(interview.status)) {
        return { kind: 'cancel', reason: `the interview is ${interview.status}` };
      }
      if (['interview_thank_you', 'thank_you_reminder'].includes(f.rule) && ['cancelled', 'no_show'].includes(interview.status)) {
        return { kind: 'cancel', reason: `the interview is ${interview.status.replace('_', '-')}` };
      }
      const at = DateTime.fromJSDate(interview.startsAt).setZone(zone);
      vars.interviewTime = at.toFormat('h:mm a ZZZZ');
      vars.interviewDate = at.toFormat('cccc, LLLL d');
      const names = (await this.contacts.findByIds(tenantId, interviewerIds)).map((c) => c.name);
      vars.interviewers = names.length > 0 ? joinNames(names) : 'the hiring team';
    }
    return {
      kind: 'compose',
      recipient,
      audience: recipient.person.type === 'candidate' ? 'candidate' : 'contact',
      vars: vars as TemplateVars,
      tenantZone: tenant.timeZone,
    };
  }

  private async recipient(tenantId: TenantId, f: FollowUpEntity): Promise<Recipient | undefined> {
    if (f.recipientCandidateId) {
      const c = await this.candidates.get(tenantId, f.recipientCandidateId);
      return { person: { type: 'candidate', id: c.id }, name: c.name, email: c.email, phone: c.phone, timeZone: c.timeZone, preferredChannel: c.preferredChannel };
    }
    if (f.recipientContactId) {
      const c = await this.contacts.get(tenantId, f.recipientContactId);
      return { person: { type: 'contact', id: c.id }, name: c.name, email: c.email, phone: c.phone, timeZone: c.timeZone, preferredChannel: c.preferredChannel };
    }
    return undefined;
  }

  /** The owning recruiter; without one, the firm's first admin signs the message. */
  private async recruiter(tenantId: TenantId, ownerUserId: string | null): Promise<{ name: string; email: string }> {
    if (ownerUserId) {
      try {
        const u = await this.users.get(tenantId, ownerUserId);
        return { name: u.name, email: u.email };
      } catch {
        // a deleted owner falls back to an admin
      }
    }
    const admin = (await this.users.list(tenantId)).find((u) => u.role === 'admin' && u.status === 'active');
    return { name: admin?.name ?? 'Your recruiter', email: admin?.email ?? '' };
  }
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
