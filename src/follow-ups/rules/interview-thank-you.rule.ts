import { humanizeDuration, shorterOrEqual } from '../domain/durations';
import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, INTERVIEW_VARIABLES, smsTemplate } from '../domain/templates';
import { due, intoWindow, skip } from '../domain/timing';
import { formatLocal, plusLocal } from '../domain/windows';
import { interviewEnd, interviewStillHeld, interviewThankYouTriggers, thankedInterview, thanksFrom } from './interview-end';
import type { InterviewEnd } from './interview-end';
import { defineRule } from './rule';
import type { RuleContext } from './rule';

type Timing = { after: string; deadline: string };

/**
 * `interview_thank_you`: after the interview, thank each interviewer by name, and the staffing-firm
 * contact when one scheduled it. Planned when the interview is scheduled (its end passing is the
 * trigger), moved when it is rescheduled or completed early, cancelled on a cancel or no-show.
 */
export const interviewThankYou = defineRule({
  key: 'interview_thank_you',
  summary: '2 h after the interview ends, or after it was completed if earlier (never later than 24 h after the end); to each interviewer, and a staffing-firm scheduler',
  defaults: { timing: { after: 'PT2H', deadline: 'PT24H' } },
  expectsReply: false,
  audiences: ['contact'],
  variables: [...ALWAYS_VARIABLES, ...INTERVIEW_VARIABLES],
  templates: {
    email: {
      contact: emailTemplate('Thank you for meeting {{candidateName}}', [
        'Thank you for taking the time to interview {{candidateName}} for the {{position}} role.',
        "I'd love to hear your impressions whenever you have a moment. Any feedback, good or critical, helps us both. And if you need anything else from {{candidateFirstName}} or from me, just reply to this email.",
      ]),
    },
    sms: {
      contact: smsTemplate("Thank you for interviewing {{candidateName}}. I'd welcome your feedback whenever you have a moment."),
    },
  },

  validateTiming(timing) {
    return shorterOrEqual(timing['deadline'], timing['after'])
      ? [{ field: 'interview_thank_you.timing.after', message: 'must be shorter than interview_thank_you.timing.deadline' }]
      : [];
  },

  /**
   * `after` the end (or the completion, when that came first), into the window, but never later
   * than `deadline` after the scheduled end. A thank-you whose next window opens past the deadline
   * is skipped: a note two days later reads as an afterthought.
   */
  due(end: InterviewEnd, { timing }, ctx, now) {
    const deadline = plusLocal(end.endsAt, timing.deadline, ctx.zone);
    const limit = humanizeDuration(timing.deadline);
    if (now.getTime() > deadline.getTime()) return skip(`more than ${limit} have passed since the interview ended`);
    const at = intoWindow(plusLocal(thanksFrom(end), timing.after, ctx.zone), now, ctx);
    if (at.getTime() > deadline.getTime()) {
      return skip(`the next sending window opens ${formatLocal(at, ctx.zone)}, more than ${limit} after the interview ended`);
    }
    return due(at);
  },

  on: interviewThankYouTriggers(plan),

  stillApplies: interviewStillHeld,
});

/** Each interviewer, and the staffing-firm contact who scheduled it; once per interview time. */
async function plan(interviewId: string, ctx: RuleContext<Timing, InterviewEnd>): Promise<void> {
  const found = await thankedInterview(ctx.facts, interviewId);
  if (!found) return;
  const { interview, interviewerIds, lead, candidate } = found;
  const staffing = interview.scheduledBy === 'staffing_firm' ? interview.scheduledByContactId : null;
  const ids = [...new Set([...interviewerIds, ...(staffing ? [staffing] : [])])];
  const people = await ctx.facts.contacts(ids);
  for (const person of people) {
    await ctx.plan({
      candidateId: candidate.id,
      leadId: lead.id,
      interviewId: interview.id,
      ownerUserId: candidate.ownerUserId,
      subject: { type: 'interview', id: interview.id },
      recipient: { type: 'contact', id: person.id, timeZone: person.timeZone },
      occurrence: occurrence.startsAt(interview.startsAt),
      due: interviewEnd(interview),
      replan: true,
    });
  }
}
