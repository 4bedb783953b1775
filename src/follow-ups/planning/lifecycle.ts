import type { TenantTx } from '../../database/tenant-db.service';
import type { DomainEvent, DomainEventType } from '../../events/domain-events';
import type { FollowUpPlanner } from './follow-up.planner';

export interface LifecycleContext {
  tx: TenantTx;
  planner: FollowUpPlanner;
  now: Date;
}

type LifecycleHandlers = { readonly [E in DomainEventType]?: (event: DomainEvent<E>, ctx: LifecycleContext) => Promise<void> };

/**
 * What happens to follow-ups of every rule alike, beside the rules' own triggers: a follow-up
 * whose person, lead or interview is deleted is cancelled; a logged call completes the person's
 * call tasks.
 */
export const LIFECYCLE: LifecycleHandlers = {
  'candidate.deleted': async (e, { tx, planner }) => {
    await planner.cancel(tx, { recipient: { type: 'candidate', id: e.payload.candidateId } }, 'the candidate was deleted');
    await planner.cancel(tx, { candidateId: e.payload.candidateId }, 'the candidate was deleted');
  },
  'contact.deleted': async (e, { tx, planner }) => {
    await planner.cancel(tx, { recipient: { type: 'contact', id: e.payload.contactId } }, 'the contact was deleted');
  },
  'lead.deleted': async (e, { tx, planner }) => {
    await planner.cancel(tx, { leadId: e.payload.leadId }, 'the lead was deleted');
  },
  'interview.deleted': async (e, { tx, planner }) => {
    await planner.cancel(tx, { interviewId: e.payload.interviewId }, 'the interview was deleted');
  },
  // The recruiter called them: their open call tasks are done ('sent', reason "call logged").
  'activity.logged': async (e, { tx, now }) => {
    const a = e.payload;
    if (a.direction !== 'out' || (a.kind !== 'call' && a.channel !== 'phone')) return;
    const column = a.person.type === 'candidate' ? 'recipient_candidate_id' : 'recipient_contact_id';
    const done = await tx.query<{ id: string; rule: string }>(
      `WITH done AS (
         UPDATE follow_ups SET status = 'sent', reason = 'call logged', sent_at = $3, updated_at = $3
         WHERE tenant_id = $1 AND kind = 'task' AND channel = 'phone' AND status IN ('planned', 'awaiting_approval') AND ${column} = $2
         RETURNING id, rule)
       SELECT id, rule FROM done`,
      [tx.tenantId, a.person.id, now],
    );
    for (const r of done) tx.emit('follow_up.sent', { followUpId: r.id, rule: r.rule, reason: 'call logged' }, { kind: 'system' });
  },
};
