import { Inject, Injectable } from '@nestjs/common';
import { AppException } from '../../common/app.exception';
import { CandidatesService } from '../../candidates/candidates.service';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import { InterviewsService } from '../../interviews/interviews.service';
import { LeadsService } from '../../leads/leads.service';
import { EMPTY_PERSON_STATE, OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundMessenger } from '../../messaging/outbound.types';
import { TenancyService } from '../../tenancy/tenancy.service';
import { UsersService } from '../../users/users.service';
import { renderTemplate, smsSegments, TEMPLATE_VARIABLES, validateTemplate } from '../domain/templates';
import type { TemplateVariable, TemplateVars } from '../domain/templates';
import type { TemplatePreviewDto, TemplatePreviewView } from '../dto/template-preview.dto';
import { FollowUpEntity } from '../follow-up.entity';
import { ruleOf } from '../rules';
import { FollowUpComposer } from './follow-up.composer';

/** What a template shows when no candidate is named, or the candidate lacks a lead or an interview. */
const SAMPLE: Readonly<Record<TemplateVariable, string>> = {
  recipientFirstName: 'Jane',
  recipientName: 'Jane Doe',
  candidateName: 'Jane Doe',
  candidateFirstName: 'Jane',
  company: 'Globex',
  position: 'Operations Manager',
  interviewTime: '10:30 AM EST',
  interviewDate: 'Wednesday, December 9',
  interviewers: 'Hank Hiring and Iris Interviewer',
  recruiterName: 'Your recruiter',
  recruiterEmail: 'you@example.com',
  firmName: 'Your firm',
  leadStatus: 'interviewing',
  referrerName: 'Rita Referrer',
};

/**
 * "Preview a template": a tenant's draft text rendered as one of its follow-ups would be, from a
 * real candidate (their latest lead and its latest interview; to a contact: the lead's employer
 * contact, else an interviewer) through the same composer the dispatcher uses. What the data
 * lacks is filled from a sample and named in `sampled`. The draft is validated like a saved
 * template: an unknown variable is a 400 naming the field. Nothing is written.
 */
@Injectable()
export class PreviewTemplateUseCase {
  constructor(
    private readonly db: TenantDb,
    private readonly composer: FollowUpComposer,
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly users: UsersService,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
  ) {}

  async execute(tenantId: TenantId, input: TemplatePreviewDto, userId: string | null): Promise<TemplatePreviewView> {
    const rule = ruleOf(input.rule);
    if (!rule.audiences.includes(input.audience)) {
      throw AppException.validation([{ field: 'audience', message: `${input.rule} speaks to: ${rule.audiences.join(', ')}` }]);
    }
    const template = input.channel === 'email' ? { subject: input.template.subject ?? '', body: input.template.body } : { body: input.template.body };
    const problems = validateTemplate(template, rule.variables);
    if (problems.length > 0) throw AppException.validation(problems.map((p) => ({ field: `template.${p.field}`, message: p.message })));

    const real = input.candidateId ? await this.db.unit(tenantId, () => this.varsOf(tenantId, input, userId)) : {};
    const vars: Record<string, string> = {};
    const sampled: string[] = [];
    const tenant = input.candidateId ? null : await this.tenancy.get(tenantId);
    const me = !input.candidateId && userId ? await this.users.findByIds(tenantId, [userId]) : [];
    const fallback: Partial<Record<TemplateVariable, string>> = { ...SAMPLE, ...(tenant ? { firmName: tenant.name } : {}), ...(me[0] ? { recruiterName: me[0].name, recruiterEmail: me[0].email } : {}) };
    for (const name of TEMPLATE_VARIABLES) {
      const value = real[name];
      if (value !== undefined && value.trim() !== '') vars[name] = value;
      else {
        vars[name] = fallback[name] ?? `[${name}]`;
        if (rule.variables.includes(name) && usesVariable(template, name)) sampled.push(name);
      }
    }
    const subject = input.channel === 'email' ? renderTemplate(input.template.subject ?? '', vars) : null;
    const rendered = renderTemplate(input.template.body, vars);
    // As the first text to a person reads: with what messaging adds (the opt-out line).
    const body = this.messenger.finalText(input.channel, rendered, EMPTY_PERSON_STATE);
    const segments = input.channel === 'sms' ? smsSegments(body) : null;
    return { subject, body, segments: segments?.segments ?? null, encoding: segments?.encoding ?? null, sampled };
  }

  /** The variables a follow-up about this candidate would have, composed by the dispatcher's composer. */
  private async varsOf(tenantId: TenantId, input: TemplatePreviewDto, userId: string | null): Promise<TemplateVars> {
    const candidate = (await this.candidates.findByIds(tenantId, [input.candidateId!]))[0];
    if (!candidate) throw AppException.validation([{ field: 'candidateId', message: 'is not a candidate of this firm' }]);
    const leads = await this.leads.findByCandidateIds(tenantId, [candidate.id]);
    const lead = [...leads].sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())[0];
    const found = lead ? (await this.interviews.findByLeadIds(tenantId, [lead.id])).at(-1) : undefined;
    const contactId = input.audience === 'contact' ? (lead?.employerContactId ?? found?.interviewerIds[0] ?? null) : null;
    if (input.audience === 'contact' && !contactId) return {};
    // A follow-up that is never saved: what the composer needs to know about it.
    const row = Object.assign(new FollowUpEntity(), {
      id: '00000000-0000-4000-8000-000000000000',
      rule: input.rule,
      kind: 'message' as const,
      status: 'planned' as const,
      candidateId: candidate.id,
      leadId: lead?.id ?? null,
      interviewId: found?.interview.id ?? null,
      recipientType: input.audience,
      recipientCandidateId: input.audience === 'candidate' ? candidate.id : null,
      recipientContactId: contactId,
      ownerUserId: candidate.ownerUserId ?? userId,
      subject: null,
      body: null,
    });
    const group = await this.composer.compose(tenantId, [row]);
    const composition = group.items.get(row.id);
    return composition?.kind === 'compose' ? composition.vars : {};
  }
}

function usesVariable(template: { subject?: string; body: string }, name: string): boolean {
  const pattern = new RegExp(`\\{\\{\\s*${name}\\s*\\}\\}`);
  return pattern.test(template.body) || pattern.test(template.subject ?? '');
}
