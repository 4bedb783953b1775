/**
 * What a follow-up rule is. Each rule is one file in this folder that holds, in one place:
 *   - its defaults (timing as ISO-8601 durations, approval, nudges);
 *   - the events that trigger it, and what each does (plan, re-plan, cancel);
 *   - its recipients (whom its triggers plan for);
 *   - its timing (`due`);
 *   - its templates, per channel and audience, and the variables they may use;
 *   - the check, at send time and in a preview, of whether the current data still calls for it.
 * The registry (./index.ts) lists them. The pure helpers they share (windows, time zones, channel
 * choice, rendering, dedupe keys) stay in ../domain.
 */
import type { CandidateEntity } from '../../candidates/candidate.entity';
import type { ContactEntity } from '../../contacts/contact.entity';
import type { TenantId } from '../../database/tenant-id';
import type { DomainEvent, DomainEventType } from '../../events/domain-events';
import type { InterviewEntity } from '../../interviews/interview.entity';
import type { LeadEntity } from '../../leads/lead.entity';
import type { PersonRef } from '../../people/person-ref';
import type { SubjectType } from '../domain/dedupe';
import type { FieldError } from '../domain/durations';
import type { Audience, RuleTemplates, TemplateVariable } from '../domain/templates';
import type { RuleVariants } from '../domain/variants';
import type { DueTime, TimingContext } from '../domain/timing';
import type { FollowUpEntity } from '../follow-up.entity';

/** A rule's named durations, e.g. `{ delay: 'P7D' }`. */
export type Timing = { readonly [name: string]: string };

/** A tenant's policy for one rule (the built-in defaults, or its overrides merged onto them). */
export interface RulePolicy<T extends Timing = Timing> {
  readonly enabled: boolean;
  readonly timing: T;
  /** When true, a planned follow-up waits in `awaiting_approval` for a recruiter. */
  readonly requiresApproval: boolean;
  /** Per channel and audience. A tenant override replaces the built-in text for that pair. */
  readonly templates: RuleTemplates;
  /** Weighted template variants per channel and audience; where present they replace `templates` (domain/variants.ts). */
  readonly variants?: RuleVariants;
  /** Only `no_reply_nudge`: at most this many nudges in a row (0 turns nudging off). */
  readonly maxNudges?: number;
}

export interface RuleDefinition<K extends string = string, T extends Timing = Timing, D = unknown> {
  readonly key: K;
  /** When it goes and to whom, in a line (README, console, OpenAPI). */
  readonly summary: string;
  readonly defaults: { readonly timing: T; readonly maxNudges?: number };
  /** It asks the other person something: silence after it gets a `no_reply_nudge`. */
  readonly expectsReply: boolean;
  readonly audiences: readonly Audience[];
  /** The variables its templates may use: those its follow-ups always have values for. */
  readonly variables: readonly TemplateVariable[];
  readonly templates: RuleTemplates;
  /** Checks across a tenant's timing for this rule (each value is already a valid duration). */
  validateTiming?(timing: { readonly [name: string]: string | undefined }): FieldError[];
  /** When a follow-up is due, from the facts its trigger planned it with (`input`). Never in the past. */
  due(input: D, policy: RulePolicy<T>, ctx: TimingContext, now: Date): DueTime;
  /** The events that plan, re-plan or cancel it. */
  readonly on: RuleTriggers<T, D>;
  /**
   * At send time and in a preview: why the current data no longer calls for this follow-up (it
   * is then cancelled with that reason), or null.
   */
  stillApplies?(facts: SendFacts, followUp: FollowUpEntity): string | null;
}

export type RuleTriggers<T extends Timing, D> = {
  readonly [E in DomainEventType]?: (event: DomainEvent<E>, ctx: RuleContext<T, D>) => Promise<void>;
};

/** Any rule, whatever its key, timing and facts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<string, any, any>;

/** Writes a rule: checks the definition's types, nothing more. */
export function defineRule<K extends string, T extends Timing, D>(rule: RuleDefinition<K, T, D>): RuleDefinition<K, T, D> {
  return rule;
}

/** What a trigger sees and can do: planning for its own rule, inside the reaction's transaction. */
export interface RuleContext<T extends Timing, D> {
  readonly tenantId: TenantId;
  /** The injected clock's now. */
  readonly now: Date;
  readonly facts: PlanningFacts;
  /** The tenant's policy for this rule. */
  readonly policy: RulePolicy<T>;
  /** Whether a rule's follow-ups ask for an answer (see `expectsReply`). */
  expectsReply(rule: string): boolean;
  /** Plans one follow-up of this rule (nothing when the rule is off or it already exists). */
  plan(request: PlanRequest<D>): Promise<PlanResult>;
  /** A task for the recruiter instead of a message (nobody to send to). */
  planTask(request: TaskRequest): Promise<PlanResult>;
  /** Cancels this rule's pending follow-ups matching `where`. */
  cancel(where: FollowUpWhere, reason: string): Promise<number>;
  /** Whether this rule has a pending follow-up matching `where`. */
  hasPending(where: FollowUpWhere): Promise<boolean>;
  /** A reply confirmed an interview (only `interview_confirmation` does this). */
  confirmInterview(interviewId: string): Promise<void>;
}

export interface Recipient {
  type: 'candidate' | 'contact';
  id: string;
  /** Their IANA zone, or null for the firm's. */
  timeZone: string | null;
}

export interface PlanRequest<D> {
  subject: { type: SubjectType; id: string };
  recipient: Recipient;
  /** The dedupe key's last part (see domain/dedupe.ts `occurrence`). */
  occurrence: string;
  /** The facts this rule's `due` needs. */
  due: D;
  candidateId?: string | null;
  leadId?: string | null;
  interviewId?: string | null;
  ownerUserId?: string | null;
  parentFollowUpId?: string | null;
  nudgeNumber?: number | null;
  /** When it is already planned and still pending: move it to the due time computed now. */
  replan?: boolean;
}

export interface TaskRequest {
  subject: { type: SubjectType; id: string };
  occurrence: string;
  /** The recruiter whose task it is (null: unassigned). */
  ownerUserId: string | null;
  /** What the recruiter should do, in words. */
  note: string;
  candidateId?: string | null;
  leadId?: string | null;
}

export interface PlanResult {
  created: boolean;
  id?: string;
  dueAt?: Date;
}

/** Which follow-ups: every given condition holds (always within the tenant, pending ones). */
export interface FollowUpWhere {
  leadId?: string;
  interviewId?: string;
  /** About this candidate (their leads, interviews, check-ins), whoever receives it. */
  candidateId?: string;
  recipient?: PersonRef;
  /** Not this occurrence (a reschedule keeps the new time's). */
  notOccurrence?: string;
}

/**
 * The pipeline as it is now, read through the owning modules' services inside the reaction's
 * transaction. Deleted or unknown things are null: a trigger then has nothing to plan.
 */
export interface PlanningFacts {
  lead(id: string): Promise<LeadEntity | null>;
  candidate(id: string): Promise<CandidateEntity | null>;
  contact(id: string): Promise<ContactEntity | null>;
  contacts(ids: readonly string[]): Promise<ContactEntity[]>;
  interview(id: string): Promise<{ interview: InterviewEntity; interviewerIds: string[] } | null>;
  followUp(id: string): Promise<FollowUpEntity | null>;
  /** The latest sent follow-up matching `where` (of `rule`, when given; never of `exceptRule`). */
  lastSent(where: FollowUpWhere & { rule?: string; exceptRule?: string }): Promise<FollowUpEntity | null>;
  /** Whether a pending follow-up of `rule` matches `where` (any rule's: this is how rules see each other). */
  hasPending(where: FollowUpWhere & { rule: string }): Promise<boolean>;
}

/** What the send-time check sees: the current lead, interview and candidate of the follow-up. */
export interface SendFacts {
  readonly lead: Pick<LeadEntity, 'status'> | null;
  readonly interview: Pick<InterviewEntity, 'status'> | null;
  readonly candidate: Pick<CandidateEntity, 'status'> | null;
}
