import type { CandidateEntity } from '../../candidates/candidate.entity';
import type { CandidatesService } from '../../candidates/candidates.service';
import type { ContactEntity } from '../../contacts/contact.entity';
import type { ContactsService } from '../../contacts/contacts.service';
import type { TenantTx } from '../../database/tenant-db.service';
import type { InterviewEntity } from '../../interviews/interview.entity';
import type { InterviewsService } from '../../interviews/interviews.service';
import type { LeadEntity } from '../../leads/lead.entity';
import type { LeadsService } from '../../leads/leads.service';
import type { AnyDomainEvent } from '../../events/domain-events';
import { FollowUpEntity } from '../follow-up.entity';
import type { FollowUpWhere, PlanningFacts } from '../rules/rule';
import type { FollowUpPlanner, PlanBatch } from './follow-up.planner';

export interface PipelineServices {
  candidates: CandidatesService;
  contacts: ContactsService;
  leads: LeadsService;
  interviews: InterviewsService;
}

/**
 * The facts one reaction's triggers read: through the owning modules' services, which join the
 * reaction's transaction (TenantDb.unit), so they see the change the event announces and nothing
 * is read twice by the rules that react to one event.
 */
export class ReactionFacts implements PlanningFacts {
  private readonly cache = new Map<string, Promise<unknown>>();
  private plans: PlanBatch | undefined;

  constructor(
    private readonly tx: TenantTx,
    private readonly services: PipelineServices,
    private readonly planner: FollowUpPlanner,
  ) {}

  /** Lookups of pending follow-ups see what this reaction planned but has not written yet. */
  useBatch(plans: PlanBatch): void {
    this.plans = plans;
  }

  /**
   * Reads, for a batch of events, what their triggers will ask for: the follow-ups, leads and
   * interviews the events name, then the candidates, leads and contacts those refer to (the
   * people, employers, referrers, interviewers), a query per kind and round, whatever the number
   * of events. What a trigger asks later comes from here.
   */
  async prefetch(events: readonly AnyDomainEvent[]): Promise<void> {
    const want = { followUps: new Set<string>(), leads: new Set<string>(), interviews: new Set<string>(), candidates: new Set<string>(), contacts: new Set<string>() };
    const add = (set: Set<string>, id: string | null | undefined): void => {
      if (id) set.add(id);
    };
    for (const e of events) {
      const p = e.payload as unknown as Record<string, unknown>;
      const str = (k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : undefined);
      add(want.followUps, e.type.startsWith('follow_up.') ? str('followUpId') : undefined);
      add(want.leads, str('leadId'));
      add(want.interviews, str('interviewId'));
      add(want.candidates, str('candidateId'));
      add(want.contacts, str('contactId'));
      if (e.type === 'references.provided') for (const id of e.payload.contactIds) add(want.contacts, id);
      const person = 'person' in e.payload ? e.payload.person : null;
      if (person) add(person.type === 'candidate' ? want.candidates : want.contacts, person.id);
    }
    const followUps = await this.loadMany('follow_up', want.followUps, async (ids) =>
      this.tx.manager.getRepository(FollowUpEntity).createQueryBuilder('f').where('f.tenant_id = :t', { t: this.tx.tenantId }).andWhere('f.id = ANY(:ids)', { ids }).getMany(),
    );
    for (const f of followUps) {
      add(want.candidates, f.recipientCandidateId);
      add(want.candidates, f.candidateId);
      add(want.contacts, f.recipientContactId);
      add(want.leads, f.leadId);
    }
    const interviews = await this.loadMany('interview', want.interviews, (ids) => this.services.interviews.findByIds(this.tx.tenantId, ids), (r) => r.interview.id);
    for (const { interview, interviewerIds } of interviews) {
      add(want.leads, interview.leadId);
      add(want.candidates, interview.candidateId);
      add(want.contacts, interview.scheduledByContactId);
      for (const id of interviewerIds) add(want.contacts, id);
    }
    const leads = await this.loadMany('lead', want.leads, (ids) => this.services.leads.findByIds(this.tx.tenantId, ids));
    for (const l of leads) {
      add(want.candidates, l.candidateId);
      add(want.contacts, l.employerContactId);
      add(want.contacts, l.referrerContactId);
    }
    await this.loadMany('candidate', want.candidates, (ids) => this.services.candidates.findByIds(this.tx.tenantId, ids));
    await this.loadMany('contact', want.contacts, (ids) => this.services.contacts.findByIds(this.tx.tenantId, ids));
  }

  /** Loads what is not cached yet under `kind`, in one query; unknown ids are cached as null. */
  private async loadMany<T extends { id: string }, R = T>(
    kind: string,
    ids: ReadonlySet<string>,
    load: (ids: string[]) => Promise<R[]>,
    idOf: (row: R) => string = (row) => (row as unknown as T).id,
  ): Promise<R[]> {
    const missing = [...ids].filter((id) => !this.cache.has(`${kind}:${id}`));
    if (missing.length === 0) return [];
    const rows = await load(missing);
    const byId = new Map(rows.map((r) => [idOf(r), r]));
    for (const id of missing) this.cache.set(`${kind}:${id}`, Promise.resolve(byId.get(id) ?? null));
    return rows;
  }

  lead(id: string): Promise<LeadEntity | null> {
    return this.once(`lead:${id}`, async () => (await this.services.leads.findByIds(this.tx.tenantId, [id]))[0] ?? null);
  }

  candidate(id: string): Promise<CandidateEntity | null> {
    return this.once(`candidate:${id}`, async () => (await this.services.candidates.findByIds(this.tx.tenantId, [id]))[0] ?? null);
  }

  contact(id: string): Promise<ContactEntity | null> {
    return this.once(`contact:${id}`, async () => (await this.services.contacts.findByIds(this.tx.tenantId, [id]))[0] ?? null);
  }

  async contacts(ids: readonly string[]): Promise<ContactEntity[]> {
    const found = await Promise.all([...new Set(ids)].map((id) => this.contact(id)));
    return found.filter((c): c is ContactEntity => c !== null);
  }

  interview(id: string): Promise<{ interview: InterviewEntity; interviewerIds: string[] } | null> {
    return this.once(`interview:${id}`, async () => (await this.services.interviews.findByIds(this.tx.tenantId, [id]))[0] ?? null);
  }

  followUp(id: string): Promise<FollowUpEntity | null> {
    return this.once(`follow_up:${id}`, () => this.tx.repo(FollowUpEntity).findOne({ id }));
  }

  lastSent(where: FollowUpWhere & { rule?: string; exceptRule?: string }): Promise<FollowUpEntity | null> {
    return this.planner.lastSent(this.tx, where);
  }

  hasPending(where: FollowUpWhere & { rule: string }): Promise<boolean> {
    return this.plans ? this.plans.hasPending(where) : this.planner.hasPending(this.tx, where);
  }

  /** One read per key within the reaction (rules reacting to one event share it); in order, on the one connection. */
  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache.get(key);
    if (hit) return hit as Promise<T>;
    const loading = load();
    this.cache.set(key, loading);
    return loading;
  }
}
