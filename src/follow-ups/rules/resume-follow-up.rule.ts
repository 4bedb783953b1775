import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, LEAD_VARIABLES, smsTemplate } from '../domain/templates';
import { due, intoWindow } from '../domain/timing';
import { plusLocal } from '../domain/windows';
import { defineRule } from './rule';

/**
 * `resume_follow_up`: a week after the resume went out (the lead moved to `applied`), ask the
 * employer contact where things stand. With no employer contact on the lead, the recruiter gets
 * a task instead. Cancelled when the lead leaves `applied`, or when the contact replies.
 */
export const resumeFollowUp = defineRule({
  key: 'resume_follow_up',
  summary: '7 days after the lead moves to `applied` (the resume went out), to the employer contact; without one, a task for the recruiter',
  defaults: { timing: { delay: 'P7D' } },
  expectsReply: true,
  audiences: ['contact'],
  variables: [...ALWAYS_VARIABLES, ...LEAD_VARIABLES],
  templates: {
    email: {
      contact: emailTemplate('Following up: {{candidateName}} for {{position}}', [
        "I'm following up on the resume I sent over for {{candidateName}} for the {{position}} role at {{company}}. Have you had a chance to take a look?",
        "{{candidateFirstName}} is very interested in the role, and I'm happy to share more background or set up a quick call. A short reply on where things stand would be much appreciated.",
      ]),
    },
    sms: {
      contact: smsTemplate("Following up on {{candidateName}}'s resume for {{position}}. Any update? Happy to set up a quick call."),
    },
  },

  /** The resume went out at `resumeSentAt`: due `delay` later, into the window. */
  due(input: { resumeSentAt: Date }, { timing }, ctx, now) {
    return due(intoWindow(plusLocal(input.resumeSentAt, timing.delay, ctx.zone), now, ctx));
  },

  on: {
    // Planned while the lead IS applied, cancelled once it is not: decided on the lead as it is
    // now, so a late or repeated event cannot plan for a lead that has moved on.
    'lead.status_changed': async (e, ctx) => {
      const lead = await ctx.facts.lead(e.payload.leadId);
      if (!lead) return;
      if (lead.status !== 'applied') {
        await ctx.cancel({ leadId: lead.id }, `the lead moved to ${lead.status}`);
        return;
      }
      const candidate = await ctx.facts.candidate(lead.candidateId);
      if (!candidate) return;
      const about = { candidateId: lead.candidateId, leadId: lead.id, ownerUserId: candidate.ownerUserId };
      const employer = lead.employerContactId ? await ctx.facts.contact(lead.employerContactId) : null;
      if (!employer) {
        await ctx.planTask({
          ...about,
          subject: { type: 'lead', id: lead.id },
          occurrence: occurrence.once(),
          note: `No employer contact on the ${lead.position} lead at ${lead.company}: follow up on the resume yourself, or add the contact.`,
        });
        return;
      }
      await ctx.plan({
        ...about,
        subject: { type: 'lead', id: lead.id },
        recipient: { type: 'contact', id: employer.id, timeZone: employer.timeZone },
        occurrence: occurrence.once(),
        due: { resumeSentAt: lead.resumeSentAt ?? new Date(e.payload.at) },
      });
    },
    // The employer contact answered: no need to chase the resume.
    'message.received': async (e, ctx) => {
      const person = e.payload.person;
      if (person?.type === 'contact') await ctx.cancel({ recipient: person }, 'they replied');
    },
  },

  stillApplies({ lead }) {
    return lead && lead.status !== 'applied' ? `the lead moved on to ${lead.status}` : null;
  },
});
