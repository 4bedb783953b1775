import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, INTERVIEW_VARIABLES, smsTemplate } from '../domain/templates';
import { due, intoWindow } from '../domain/timing';
import { plusLocal } from '../domain/windows';
import { interviewEnd, interviewStillHeld, interviewThankYouTriggers, thankedInterview, thanksFrom } from './interview-end';
import type { InterviewEnd } from './interview-end';
import { defineRule } from './rule';
import type { RuleContext } from './rule';

type Timing = { after: string };

/**
 * `thank_you_reminder`: after the interview, remind the candidate to thank the interviewers by
 * name today. Same triggers as the interviewers' thank-you.
 */
export const thankYouReminder = defineRule({
  key: 'thank_you_reminder',
  summary: '1 h after the interview ends (or after it was completed, if earlier); to the candidate',
  defaults: { timing: { after: 'PT1H' } },
  expectsReply: false,
  audiences: ['candidate'],
  variables: [...ALWAYS_VARIABLES, ...INTERVIEW_VARIABLES],
  templates: {
    email: {
      candidate: emailTemplate('A quick thank-you to {{interviewers}}', [
        'Well done on your interview for the {{position}} role at {{company}}.',
        'One small step makes a real difference: send a short thank-you note to {{interviewers}} today. A few sentences is plenty: thank them for their time, mention something specific you discussed, and say again why the role appeals to you.',
        "Then let me know how you felt it went. I'll follow up with {{company}} on my side.",
      ]),
    },
    sms: {
      candidate: smsTemplate('Nice work in your interview! A short thank-you email to {{interviewers}} today really helps.'),
    },
  },

  /** `after` the end (or the completion, when that came first), into the window. */
  due(end: InterviewEnd, { timing }, ctx, now) {
    return due(intoWindow(plusLocal(thanksFrom(end), timing.after, ctx.zone), now, ctx));
  },

  on: interviewThankYouTriggers(plan),

  stillApplies: interviewStillHeld,
});

async function plan(interviewId: string, ctx: RuleContext<Timing, InterviewEnd>): Promise<void> {
  const found = await thankedInterview(ctx.facts, interviewId);
  if (!found) return;
  const { interview, lead, candidate } = found;
  await ctx.plan({
    candidateId: candidate.id,
    leadId: lead.id,
    interviewId: interview.id,
    ownerUserId: candidate.ownerUserId,
    subject: { type: 'interview', id: interview.id },
    recipient: { type: 'candidate', id: candidate.id, timeZone: candidate.timeZone },
    occurrence: occurrence.startsAt(interview.startsAt),
    due: interviewEnd(interview),
    replan: true,
  });
}
