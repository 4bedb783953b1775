import type { CandidateEntity } from '../../candidates/candidate.entity';
import type { CandidatesService } from '../../candidates/candidates.service';
import type { ContactEntity } from '../../contacts/contact.entity';
import type { ContactsService } from '../../contacts/contacts.service';
import type { TenantTx } from '../../database/tenant-db.service';
import type { InterviewEntity } from '../../interviews/interview.entity';
import type { InterviewsService } from '../../interviews/interviews.service';
import type { LeadEntity } from '../../leads/lead.entity';
import type { LeadsService } from '../../leads/leads.service';
import { FollowUpEntity } from '../follow-up.entity';
import type { FollowUpWhere, PlanningFacts } from '../rules/rule';
import type { FollowUpPlanner } from './follow-up.planner';

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

  constructor(
    private readonly tx: TenantTx,
    private readonly services: PipelineServices,
    private readonly planner: FollowUpPlanner,
  ) {}

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
    return this.planner.hasPending(this.tx, where);
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
