import { isOpen } from '../../leads/lead-status';
import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, LEAD_VARIABLES, smsTemplate } from '../domain/templates';
import { immediately } from '../domain/timing';
import { defineRule } from './rule';

type Timing = Record<never, string>;

/**
 * `reference_heads_up`: when references are provided to a lead, each one hears that the employer
 * may call. Once per (reference, lead). Cancelled if the lead closes before it goes out.
 */
export const referenceHeadsUp = defineRule({
  key: 'reference_heads_up',
  summary: 'when references are provided to a lead; to each reference, once per lead',
  defaults: { timing: {} as Timing },
  expectsReply: false,
  audiences: ['contact'],
  variables: [...ALWAYS_VARIABLES, ...LEAD_VARIABLES],
  templates: {
    email: {
      contact: emailTemplate('Heads-up: {{company}} may contact you about {{candidateName}}', [
        "Thank you for being a reference for {{candidateName}}. I wanted to give you a heads-up that we've shared your details with {{company}} for the {{position}} role, so you may hear from them soon.",
        'If you have any questions before they reach out, just reply to this email. Thank you for supporting {{candidateFirstName}}.',
      ]),
    },
    sms: {
      contact: smsTemplate('Heads-up: {{company}} may contact you soon as a reference for {{candidateName}}. Thank you!'),
    },
  },

  /** Now, or the next window opening. */
  due(_input: Record<never, never>, _policy, ctx, now) {
    return immediately(now, ctx);
  },

  on: {
    'references.provided': async (e, ctx) => {
      const lead = await ctx.facts.lead(e.payload.leadId);
      if (!lead || !isOpen(lead.status)) return;
      const candidate = await ctx.facts.candidate(lead.candidateId);
      for (const person of await ctx.facts.contacts(e.payload.contactIds)) {
        await ctx.plan({
          candidateId: lead.candidateId,
          leadId: lead.id,
          ownerUserId: candidate?.ownerUserId ?? null,
          subject: { type: 'lead', id: lead.id },
          recipient: { type: 'contact', id: person.id, timeZone: person.timeZone },
          occurrence: occurrence.once(),
          due: {},
        });
      }
    },
    'lead.status_changed': async (e, ctx) => {
      if (!isOpen(e.payload.to)) await ctx.cancel({ leadId: e.payload.leadId }, `the lead is ${e.payload.to}`);
    },
  },
});
