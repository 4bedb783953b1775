import { Injectable, OnModuleInit } from '@nestjs/common';
import { CandidatesService } from '../../candidates/candidates.service';
import { Clock } from '../../common/clock';
import { ContactsService } from '../../contacts/contacts.service';
import type { TenantTx } from '../../database/tenant-db.service';
import { DomainEventBus } from '../../events/domain-event-bus';
import type { AnyDomainEvent, DomainEventType } from '../../events/domain-events';
import { InterviewsService } from '../../interviews/interviews.service';
import { LeadsService } from '../../leads/leads.service';
import type { PersonRef } from '../../people/person-ref';
import { TenancyService } from '../../tenancy/tenancy.service';
import { expectsReply, RULES } from '../rules';
import { policyOf } from '../rules/policy';
import type { AnyRule, RuleContext, Timing } from '../rules/rule';
import type { RuleKey } from '../rules';
import { readFollowUpSettings } from '../tenant-settings';
import type { FollowUpSettings } from '../tenant-settings';
import { FollowUpPlanner } from './follow-up.planner';
import { LIFECYCLE } from './lifecycle';
import { ReactionFacts } from './planning-facts';

/** The durable reaction's name (stored with its rows: do not rename). */
export const PLAN_FOLLOW_UPS = 'follow-ups.plan';

type Trigger = (event: AnyDomainEvent, ctx: RuleContext<Timing, unknown>) => Promise<void>;
type LifecycleHandler = (event: AnyDomainEvent, ctx: Parameters<NonNullable<(typeof LIFECYCLE)['lead.deleted']>>[1]) => Promise<void>;

/**
 * "Plan follow-ups for event": the one use case that turns a change into follow-ups. A reaction
 * (src/events/domain-event-bus.ts) to every event a rule or the lifecycle reacts to, so it runs
 * inside the transaction that made the change and commits with it (kept and retried if it
 * fails). Inside: one advisory lock on what the event is about (its lead, or its person), so two
 * changes about the same lead plan one after the other and each decides on the data as it is
 * then; then each rule's trigger for the event, in the registry's order, and the lifecycle.
 */
@Injectable()
export class PlanFollowUpsReaction implements OnModuleInit {
  constructor(
    private readonly bus: DomainEventBus,
    private readonly planner: FollowUpPlanner,
    private readonly tenancy: TenancyService,
    private readonly candidates: CandidatesService,
    private readonly contacts: ContactsService,
    private readonly leads: LeadsService,
    private readonly interviews: InterviewsService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    const types = new Set<DomainEventType>();
    for (const rule of RULES) for (const type of Object.keys(rule.on)) types.add(type as DomainEventType);
    for (const type of Object.keys(LIFECYCLE)) types.add(type as DomainEventType);
    for (const type of types) this.bus.react(type, PLAN_FOLLOW_UPS, (event, tx) => this.execute(event as AnyDomainEvent, tx));
  }

  async execute(event: AnyDomainEvent, tx: TenantTx): Promise<void> {
    const facts = new ReactionFacts(tx, { candidates: this.candidates, contacts: this.contacts, leads: this.leads, interviews: this.interviews }, this.planner);
    const key = await subjectOf(event, facts);
    if (key) await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`${tx.tenantId}:${key}`]);
    const tenant = await this.tenancy.get(tx.tenantId);
    const settings = readFollowUpSettings(tenant.settings);
    const now = this.clock.now();
    for (const rule of RULES) {
      const trigger = (rule.on as Partial<Record<DomainEventType, Trigger>>)[event.type];
      if (trigger) await trigger(event, this.contextFor(rule, tx, facts, settings, tenant.timeZone, now));
    }
    const lifecycle = (LIFECYCLE as Partial<Record<DomainEventType, LifecycleHandler>>)[event.type];
    if (lifecycle) await lifecycle(event, { tx, planner: this.planner, now });
  }

  private contextFor(rule: AnyRule, tx: TenantTx, facts: ReactionFacts, settings: FollowUpSettings, zone: string, now: Date): RuleContext<Timing, unknown> {
    const planner = this.planner;
    const own = { rule: rule.key };
    return {
      tenantId: tx.tenantId,
      now,
      facts,
      policy: policyOf(settings.policy, rule.key as RuleKey),
      expectsReply,
      plan: (req) => planner.plan(tx, settings, zone, rule, req),
      planTask: (req) => planner.planTask(tx, settings, rule, req),
      cancel: (where, reason) => planner.cancel(tx, { ...where, ...own }, reason),
      hasPending: (where) => planner.hasPending(tx, { ...where, ...own }),
      confirmInterview: async (id) => {
        await this.interviews.confirm(tx.tenantId, id, { kind: 'system' });
      },
    };
  }
}

/**
 * What the event is about, for the lock: its lead (lead and interview events: closing a lead
 * cancels its interviews' follow-ups), or its person (replies, contact, check-ins).
 */
async function subjectOf(e: AnyDomainEvent, facts: ReactionFacts): Promise<string | null> {
  const person = (p: PersonRef | null): string | null => (p ? `${p.type}:${p.id}` : null);
  switch (e.type) {
    case 'lead.status_changed':
    case 'lead.deleted':
    case 'references.provided':
    case 'interview.scheduled':
    case 'interview.rescheduled':
    case 'interview.completed':
    case 'interview.cancelled':
    case 'interview.no_show':
    case 'interview.deleted':
      return `lead:${e.payload.leadId}`;
    case 'candidate.created':
    case 'candidate.updated':
    case 'candidate.deleted':
      return `candidate:${e.payload.candidateId}`;
    case 'contact.deleted':
      return `contact:${e.payload.contactId}`;
    case 'message.received':
      return person(e.payload.person);
    case 'activity.logged':
    case 'consent.changed':
      return person(e.payload.person);
    case 'follow_up.sent': {
      const sent = await facts.followUp(e.payload.followUpId);
      if (sent?.recipientCandidateId) return `candidate:${sent.recipientCandidateId}`;
      if (sent?.recipientContactId) return `contact:${sent.recipientContactId}`;
      return null;
    }
    default:
      return null;
  }
}
