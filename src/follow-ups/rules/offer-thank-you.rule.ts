import { isOpen } from '../../leads/lead-status';
import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, LEAD_VARIABLES, smsTemplate } from '../domain/templates';
import { immediately } from '../domain/timing';
import { defineRule } from './rule';

type Timing = Record<never, string>;

/** `offer_thank_you`: the lead moved to `offer`; thank the employer contact and ask what's next. */
export const offerThankYou = defineRule({
  key: 'offer_thank_you',
  summary: 'when the lead moves to `offer`; to the employer contact',
  defaults: { timing: {} as Timing },
  expectsReply: true,
  audiences: ['contact'],
  variables: [...ALWAYS_VARIABLES, ...LEAD_VARIABLES],
  templates: {
    email: {
      contact: emailTemplate('Thank you for your offer to {{candidateName}}', [
        'Thank you for extending an offer to {{candidateName}} for the {{position}} role. We really appreciate the time your team put into the process.',
        "Please let me know the next steps, or anything you need from {{candidateFirstName}} or from me. I'll make sure it happens quickly.",
      ]),
    },
    sms: {
      contact: smsTemplate('Thank you for the offer to {{candidateName}}! Let me know the next steps or anything you need.'),
    },
  },

  /** Now, or the next window opening. */
  due(_input: Record<never, never>, _policy, ctx, now) {
    return immediately(now, ctx);
  },

  on: {
    'lead.status_changed': async (e, ctx) => {
      if (!isOpen(e.payload.to)) {
        await ctx.cancel({ leadId: e.payload.leadId }, `the lead is ${e.payload.to}`);
        return;
      }
      if (e.payload.to !== 'offer') return;
      const lead = await ctx.facts.lead(e.payload.leadId);
      if (!lead || lead.status !== 'offer' || !lead.employerContactId) return;
      const employer = await ctx.facts.contact(lead.employerContactId);
      const candidate = await ctx.facts.candidate(lead.candidateId);
      if (!employer) return;
      await ctx.plan({
        candidateId: lead.candidateId,
        leadId: lead.id,
        ownerUserId: candidate?.ownerUserId ?? null,
        subject: { type: 'lead', id: lead.id },
        recipient: { type: 'contact', id: employer.id, timeZone: employer.timeZone },
        occurrence: occurrence.once(),
        due: {},
      });
    },
  },
});
