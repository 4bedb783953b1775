import { Inject, Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import type { CandidateEntity } from '../../candidates/candidate.entity';
import { CandidatesService } from '../../candidates/candidates.service';
import type { ContactEntity } from '../../contacts/contact.entity';
import { ContactsService } from '../../contacts/contacts.service';
import { TenantDb } from '../../database/tenant-db.service';
import type { TenantId } from '../../database/tenant-id';
import type { InterviewEntity } from '../../interviews/interview.entity';
import { InterviewsService } from '../../interviews/interviews.service';
import type { LeadEntity } from '../../leads/lead.entity';
import { LeadsService } from '../../leads/leads.service';
import { OUTBOUND_MESSENGER } from '../../messaging/outbound.types';
import type { OutboundContext, OutboundMessenger, ThreadRef } from '../../messaging/outbound.types';
import { threadKeyOf } from './thread';
import type { PersonRef } from '../../people/person-ref';
import { TenancyService } from '../../tenancy/tenancy.service';
import type { UserEntity } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import type { Channel } from '../../messaging/domain/channel';
import type { Audience, TemplateVars } from '../domain/templates';
import { resolveZone } from '../domain/windows';
import type { FollowUpEntity } from '../follow-up.entity';
import type { SendFacts } from '../rules/rule';
import { readFollowUpSettings } from '../tenant-settings';
import type { FollowUpSettings } from '../tenant-settings';

/** Whom a follow-up goes to, as the data is now. */
export interface ComposedRecipient {
  person: PersonRef;
  name: string;
  email: string | null;
  phone: string | null;
  /** Their own IANA zone, or null (the firm's then). */
  timeZone: string | null;
  preferredChannel: Channel | null;
}

export type Composition =
  | {
      kind: 'compose';
      recipient: ComposedRecipient;
      audience: Audience;
      vars: TemplateVars;
      /** The lead, interview and candidate as they are now, for the rule's send-time check. */
      facts: SendFacts;
      /** Who signs it (the owning recruiter, else the firm's first admin). */
      signer: { userId: string; name: string; email: string } | null;
      /** The interview it is about, as it is now, for its calendar invite (see compose/invite.ts). */
      interview: InterviewFacts | null;
    }
  /** The data no longer calls for it: the person, lead or interview is gone. */
  | { kind: 'cancel'; reason: string };

export interface InterviewFacts {
  interview: InterviewEntity;
  /** Its invite's latest revision (0: never changed since invites went out): the SEQUENCE. */
  revision: number;
  /** Its own zone, else the recipient's, else the firm's. */
  zone: string;
  /** "Interview: Jane Doe – Data Engineer at Acme". */
  summary: string;
}

/** A group of one tenant's follow-ups, composed from the current data in a fixed number of reads. */
export interface ComposedGroup {
  tenantId: TenantId;
  tenantName: string;
  tenantZone: string;
  settings: FollowUpSettings;
  /** What messaging knows about the recipients and the firm's senders (read once, passed to prepare). */
  outbound: OutboundContext;
  items: ReadonlyMap<string, Composition>;
}

/**
 * Composes follow-ups from the pipeline's CURRENT data, through the owning services: the message
 * that goes out (and the preview a recruiter sees, which is the same code) is the one today's data
 * calls for: a corrected email, a moved interview, the new owner's name.
 *
 * Set-based: whatever the number of rows, one read each of the tenant, the recipients and
 * candidates, the leads, the interviews (and their interviewer links), the interviewers and
 * referrers, the signing users, and messaging's context (senders, engagement, consent).
 */
@Injectable()
export class FollowUpComposer {
  constructor(
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly users: UsersService,
    private readonly db: TenantDb,
    @Inject(OUTBOUND_MESSENGER) private readonly messenger: OutboundMessenger,
  ) {}

  async compose(tenantId: TenantId, rows: readonly FollowUpEntity[]): Promise<ComposedGroup> {
    const tenant = await this.tenancy.get(tenantId);
    const candidateIds = new Set<string>();
    const contactIds = new Set<string>();
    for (const f of rows) {
      if (f.recipientCandidateId) candidateIds.add(f.recipientCandidateId);
      if (f.candidateId) candidateIds.add(f.candidateId);
      if (f.recipientContactId) contactIds.add(f.recipientContactId);
    }
    const candidates = byId(await this.candidates.findByIds(tenantId, [...candidateIds]));
    const leads = byId(await this.leads.findByIds(tenantId, unique(rows.map((f) => f.leadId))));
    const interviews = new Map((await this.interviews.findByIds(tenantId, unique(rows.map((f) => f.interviewId)))).map((r) => [r.interview.id, r]));
    const revisions = await this.inviteRevisions(tenantId, [...interviews.keys()]);
    for (const lead of leads.values()) if (lead.referrerContactId) contactIds.add(lead.referrerContactId);
    for (const { interviewerIds } of interviews.values()) for (const id of interviewerIds) contactIds.add(id);
    const contacts = byId(await this.contacts.findByIds(tenantId, [...contactIds]));
    const ownerIds = rows.map((f) => f.ownerUserId ?? candidates.get(f.candidateId ?? f.recipientCandidateId ?? '')?.ownerUserId ?? null);
    const users = byId(await this.users.findByIds(tenantId, unique(ownerIds)));
    const needsAdmin = ownerIds.some((id) => id === null || !users.has(id));
    const admin = needsAdmin ? await this.users.firstActiveAdmin(tenantId) : null;

    const items = new Map<string, Composition>();
    const people: PersonRef[] = [];
    const threads: ThreadRef[] = [];
    rows.forEach((f, i) => {
      const signerUser = (ownerIds[i] ? users.get(ownerIds[i]!) : undefined) ?? admin;
      const composition = build(f, { tenantName: tenant.name, tenantZone: tenant.timeZone, candidates, contacts, leads, interviews, revisions, signer: signerUser ?? null });
      items.set(f.id, composition);
      if (composition.kind === 'compose') {
        people.push(composition.recipient.person);
        threads.push({ person: composition.recipient.person, threadKey: threadKeyOf(f) });
      }
    });
    const outbound = await this.messenger.context(tenantId, people, threads);
    return { tenantId, tenantName: tenant.name, tenantZone: tenant.timeZone, settings: readFollowUpSettings(tenant.settings), outbound, items };
  }

  /**
   * Each interview's invite revision, in one read (only when interviews are being composed): the
   * invite notices planned for it so far, one revision per change (compose/invite.ts).
   *   SELECT interview_id, count(DISTINCT occurrence) FROM follow_ups
   *   WHERE tenant_id = $1 AND interview_id = ANY($2) AND rule = 'one_off' AND occurrence LIKE 'invite:%' GROUP BY 1
   */
  private async inviteRevisions(tenantId: TenantId, interviewIds: readonly string[]): Promise<Map<string, number>> {
    if (interviewIds.length === 0) return new Map();
    const rows = await this.db.tx(tenantId, (tx) =>
      tx.query<{ interview_id: string; n: number }>(
        `SELECT interview_id, count(DISTINCT occurrence)::int AS n FROM follow_ups
         WHERE tenant_id = $1 AND interview_id = ANY($2::uuid[]) AND rule = 'one_off' AND occurrence LIKE 'invite:%'
         GROUP BY interview_id`,
        [tx.tenantId, [...interviewIds]],
      ),
    );
    return new Map(rows.map((r) => [r.interview_id, r.n]));
  }
}

interface Loaded {
  tenantName: string;
  tenantZone: string;
  candidates: ReadonlyMap<string, CandidateEntity>;
  contacts: ReadonlyMap<string, ContactEntity>;
  leads: ReadonlyMap<string, LeadEntity>;
  interviews: ReadonlyMap<string, { interview: InterviewEntity; interviewerIds: string[] }>;
  revisions: ReadonlyMap<string, number>;
  signer: UserEntity | null;
}

function build(f: FollowUpEntity, d: Loaded): Composition {
  const recipient = recipientOf(f, d);
  if (!recipient) return { kind: 'cancel', reason: f.recipientCandidateId ? 'Candidate no longer exists' : f.recipientContactId ? 'Contact no longer exists' : 'the follow-up has no recipient' };
  const zone = resolveZone(recipient.timeZone, d.tenantZone);
  const vars: Record<string, string> = {
    recipientName: recipient.name,
    recipientFirstName: firstName(recipient.name),
    firmName: d.tenantName,
    recruiterName: d.signer?.name ?? 'Your recruiter',
    recruiterEmail: d.signer?.email ?? '',
  };
  const candidateId = f.candidateId ?? f.recipientCandidateId;
  const candidate = candidateId ? d.candidates.get(candidateId) : undefined;
  if (candidateId && !candidate) return { kind: 'cancel', reason: 'Candidate no longer exists' };
  if (candidate) {
    vars.candidateName = candidate.name;
    vars.candidateFirstName = firstName(candidate.name);
  }
  const lead = f.leadId ? d.leads.get(f.leadId) : undefined;
  if (f.leadId && !lead) return { kind: 'cancel', reason: 'Lead no longer exists' };
  if (lead) {
    vars.company = lead.company;
    vars.position = lead.position;
    vars.leadStatus = lead.status.replace(/_/g, ' ');
    const referrer = lead.referrerContactId ? d.contacts.get(lead.referrerContactId) : undefined;
    if (referrer) vars.referrerName = referrer.name;
  }
  const found = f.interviewId ? d.interviews.get(f.interviewId) : undefined;
  if (f.interviewId && !found) return { kind: 'cancel', reason: 'Interview no longer exists' };
  if (found) {
    const at = DateTime.fromJSDate(found.interview.startsAt).setZone(zone);
    vars.interviewTime = at.toFormat('h:mm a ZZZZ');
    vars.interviewDate = at.toFormat('cccc, LLLL d');
    const names = found.interviewerIds.map((id) => d.contacts.get(id)?.name).filter((n): n is string => n !== undefined);
    vars.interviewers = names.length > 0 ? joinNames(names) : 'the hiring team';
  }
  return {
    kind: 'compose',
    recipient,
    audience: recipient.person.type,
    vars: vars as TemplateVars,
    facts: { lead: lead ?? null, interview: found?.interview ?? null, candidate: candidate ?? null },
    signer: d.signer ? { userId: d.signer.id, name: d.signer.name, email: d.signer.email } : null,
    interview: found
      ? {
          interview: found.interview,
          revision: d.revisions.get(found.interview.id) ?? 0,
          zone: found.interview.timeZone ?? zone,
          summary: `Interview: ${candidate?.name ?? recipient.name}${lead ? ` – ${lead.position} at ${lead.company}` : ''}`,
        }
      : null,
  };
}

function recipientOf(f: FollowUpEntity, d: Loaded): ComposedRecipient | undefined {
  const c = f.recipientCandidateId ? d.candidates.get(f.recipientCandidateId) : undefined;
  if (c) return { person: { type: 'candidate', id: c.id }, name: c.name, email: c.email, phone: c.phone, timeZone: c.timeZone, preferredChannel: c.preferredChannel };
  const k = f.recipientContactId ? d.contacts.get(f.recipientContactId) : undefined;
  if (k) return { person: { type: 'contact', id: k.id }, name: k.name, email: k.email, phone: k.phone, timeZone: k.timeZone, preferredChannel: k.preferredChannel };
  return undefined;
}

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]));
}

function unique(ids: readonly (string | null | undefined)[]): string[] {
  return [...new Set(ids.filter((id): id is string => typeof id === 'string'))];
}

export function firstName(name: string): string {
  return name.trim().split(/\s+/)[0] ?? name;
}

export function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}
