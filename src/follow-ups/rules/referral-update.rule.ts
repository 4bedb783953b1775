import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, LEAD_VARIABLES, smsTemplate } from '../domain/templates';
import { immediately } from '../domain/timing';
import { defineRule } from './rule';
import type { RuleContext } from './rule';
import type { LeadEntity } from '../../leads/lead.entity';

type Timing = Record<never, string>;

/**
 * `referral_update`: keep whoever referred the candidate posted. Once the lead's first follow-up
 * has gone out, the referrer hears about that and then about every status change, the closing
 * one included (one update per status; a lead never returns to an earlier one).
 */
export const referralUpdate = defineRule({
  key: 'referral_update',
  summary: "after the lead's first follow-up goes out, then on every status change; to the referrer",
  defaults: { timing: {} as Timing },
  expectsReply: false,
  audiences: ['contact'],
  variables: [...ALWAYS_VARIABLES, ...LEAD_VARIABLES, 'leadStatus', 'referrerName'],
  templates: {
    email: {
      contact: emailTemplate('Update on {{candidateName}} at {{company}}', [
        'Thank you again for referring {{candidateName}} for the {{position}} role at {{company}}. A quick update: the application status is now {{leadStatus}}.',
        "I'll keep you posted as things move forward. Referrals like yours make all the difference.",
      ]),
    },
    sms: {
      contact: smsTemplate('Update on {{candidateName}} at {{company}}: the status is now {{leadStatus}}. Thanks again for the referral!'),
    },
  },

  /** Now, or the next window opening. */
  due(_input: Record<never, never>, _policy, ctx, now) {
    return immediately(now, ctx);
  },

  on: {
    // The lead's first follow-up (anything but a referral update) went out: the referrer hears.
    'follow_up.sent': async (e, ctx) => {
      if (e.payload.rule === 'referral_update') return;
      const sent = await ctx.facts.followUp(e.payload.followUpId);
      if (!sent?.leadId || sent.kind !== 'message') return;
      const lead = await ctx.facts.lead(sent.leadId);
      if (lead) await planFor(lead, lead.status, ctx);
    },
    // Every later status change, once the lead's follow-ups have started.
    'lead.status_changed': async (e, ctx) => {
      if (e.payload.from === null) return;
      const lead = await ctx.facts.lead(e.payload.leadId);
      if (!lead) return;
      const started = await ctx.facts.lastSent({ leadId: lead.id, exceptRule: 'referral_update' });
      if (started) await planFor(lead, e.payload.to, ctx);
    },
  },
});

async function planFor(lead: LeadEntity, status: string, ctx: RuleContext<Timing, Record<never, never>>): Promise<void> {
  const referrer = lead.referrerContactId ? await ctx.facts.contact(lead.referrerContactId) : null;
  if (!referrer) return;
  const candidate = await ctx.facts.candidate(lead.candidateId);
  await ctx.plan({
    candidateId: lead.candidateId,
    leadId: lead.id,
    ownerUserId: candidate?.ownerUserId ?? null,
    subject: { type: 'lead', id: lead.id },
    recipient: { type: 'contact', id: referrer.id, timeZone: referrer.timeZone },
    occurrence: occurrence.leadStatus(status),
    due: {},
  });
}
