import { isOpen } from '../../leads/lead-status';
import { humanizeDuration, shorterOrEqual } from '../domain/durations';
import { occurrence } from '../domain/occurrence';
import { ALWAYS_VARIABLES, emailTemplate, INTERVIEW_VARIABLES, smsTemplate } from '../domain/templates';
import { due, later, placeOnDay, skip, windowChannel } from '../domain/timing';
import { formatLocal, minusLocal, nextWindowOpening, startOfLocalDay } from '../domain/windows';
import type { DomainEvent } from '../../events/domain-events';
import { defineRule } from './rule';
import type { RuleContext } from './rule';

type Timing = { before: string; minLeadTime: string };
type Facts = { startsAt: Date };

/**
 * `interview_confirmation`: the day before the interview, ask the candidate and the employer
 * contact (or whoever scheduled it) to confirm. A reschedule re-plans it for the new time; a
 * cancel or no-show cancels it; a YES (Y, C, CONFIRM) from someone asked confirms the interview.
 */
export const interviewConfirmation = defineRule({
  key: 'interview_confirmation',
  summary: 'the day before the interview, same local time, within the window; to the candidate and the employer contact (or whoever scheduled it)',
  defaults: { timing: { before: 'P1D', minLeadTime: 'PT2H' } },
  expectsReply: false,
  audiences: ['candidate', 'contact'],
  variables: [...ALWAYS_VARIABLES, ...INTERVIEW_VARIABLES],
  templates: {
    email: {
      candidate: emailTemplate('Confirming your interview with {{company}} on {{interviewDate}}', [
        'A quick note to confirm your interview for the {{position}} role at {{company}}: {{interviewDate}} at {{interviewTime}}, with {{interviewers}}.',
        "Please reply YES to confirm, or let me know if anything has changed and I'll sort it out with the team. I'm rooting for you!",
      ]),
      contact: emailTemplate("Confirming {{candidateName}}'s interview on {{interviewDate}}", [
        "I'm confirming {{candidateName}}'s interview for the {{position}} role on {{interviewDate}} at {{interviewTime}}. {{candidateFirstName}} is looking forward to it.",
        "Please reply YES to confirm. If anything has changed on your side, just let me know and I'll update {{candidateFirstName}} right away.",
      ]),
    },
    sms: {
      candidate: smsTemplate('Confirming your interview with {{company}} on {{interviewDate}} at {{interviewTime}}. Reply YES to confirm.'),
      contact: smsTemplate("Confirming {{candidateName}}'s interview on {{interviewDate}} at {{interviewTime}}. Reply YES to confirm."),
    },
  },

  // Otherwise every confirmation would be skipped.
  validateTiming(timing) {
    return shorterOrEqual(timing['before'], timing['minLeadTime'])
      ? [{ field: 'interview_confirmation.timing.minLeadTime', message: 'must be shorter than interview_confirmation.timing.before' }]
      : [];
  },

  /**
   * For an interview starting at S:
   * 1. The target is S − `before` in recipient-local time: with "P1D", the same clock time the
   *    day before, whatever DST does in between.
   * 2. It is placed on the target's local day: before the window opens → the opening; after it
   *    closes → EARLIER, to the latest moment of that day's window (close − 15 minutes). This is
   *    the spec's one exception to "wait for the next opening": it stays on the day before.
   * 3. If that is impossible (S is closer than `before`, the day has no window, or its last
   *    moment has passed), it goes as soon as the window allows, but only if that is no later
   *    than S − `minLeadTime`; otherwise it is skipped with the reason.
   * Where the spec is silent: a day before with no window (a weekend with businessDaysOnly) is
   * not moved to an earlier day; it waits for the next opening like any other rule.
   */
  due({ startsAt }: Facts, { timing }, ctx, now) {
    if (startsAt.getTime() <= now.getTime()) return skip('the interview has already started');
    const latest = minusLocal(startsAt, timing.minLeadTime, ctx.zone);
    if (latest.getTime() < now.getTime()) return skip(`the interview starts in less than ${humanizeDuration(timing.minLeadTime)}`);
    const target = minusLocal(startsAt, timing.before, ctx.zone);
    const onTargetDay = placeOnDay(target, now, ctx);
    if (onTargetDay !== null && onTargetDay.getTime() <= latest.getTime()) return due(onTargetDay);
    // As soon as the window allows, but not before the target's day (a target days away should
    // not be pulled forward to now).
    const soonest = nextWindowOpening(later(now, startOfLocalDay(target, ctx.zone)), windowChannel(ctx), ctx.zone, ctx.windows);
    if (soonest.getTime() <= latest.getTime()) return due(soonest);
    return skip(`the next sending window opens ${formatLocal(soonest, ctx.zone)}, less than ${humanizeDuration(timing.minLeadTime)} before the interview`);
  },

  on: {
    'interview.scheduled': (e, ctx) => plan(e.payload.interviewId, ctx),
    'interview.rescheduled': async (e, ctx) => {
      await ctx.cancel({ interviewId: e.payload.interviewId, notOccurrence: occurrence.startsAt(new Date(e.payload.newStartsAt)) }, 'the interview was rescheduled');
      await plan(e.payload.interviewId, ctx);
    },
    'interview.cancelled': (e, ctx) => cancelFor(e, ctx, 'the interview was cancelled'),
    'interview.no_show': (e, ctx) => cancelFor(e, ctx, 'the interview was a no-show'),
    'lead.status_changed': async (e, ctx) => {
      if (!isOpen(e.payload.to)) await ctx.cancel({ leadId: e.payload.leadId }, `the lead is ${e.payload.to}`);
    },
    // YES, Y, C or CONFIRM from someone we asked to confirm: the interview they were asked about.
    'message.received': async (e, ctx) => {
      const person = e.payload.person;
      if (!e.payload.confirmation || !person) return;
      const asked = await ctx.facts.lastSent({ rule: 'interview_confirmation', recipient: person });
      if (!asked?.interviewId) return;
      const found = await ctx.facts.interview(asked.interviewId);
      if (found?.interview.status === 'scheduled' && found.interview.startsAt.getTime() > ctx.now.getTime()) {
        await ctx.confirmInterview(found.interview.id);
      }
    },
  },

  stillApplies({ interview }) {
    return interview && !['scheduled', 'confirmed'].includes(interview.status) ? `the interview is ${interview.status.replace('_', '-')}` : null;
  },
});

/** The candidate, and the employer contact or whoever scheduled it; while it is still scheduled. */
async function plan(interviewId: string, ctx: RuleContext<Timing, Facts>): Promise<void> {
  const found = await ctx.facts.interview(interviewId);
  if (!found || found.interview.status !== 'scheduled') return;
  const { interview } = found;
  const lead = await ctx.facts.lead(interview.leadId);
  const candidate = await ctx.facts.candidate(interview.candidateId);
  if (!lead || !candidate || !isOpen(lead.status)) return;
  const about = { candidateId: candidate.id, leadId: lead.id, interviewId: interview.id, ownerUserId: candidate.ownerUserId };
  const common = { ...about, subject: { type: 'interview' as const, id: interview.id }, occurrence: occurrence.startsAt(interview.startsAt), due: { startsAt: interview.startsAt }, replan: true };
  await ctx.plan({ ...common, recipient: { type: 'candidate', id: candidate.id, timeZone: candidate.timeZone } });
  const confirmWithId = interview.scheduledByContactId ?? lead.employerContactId;
  const other = confirmWithId ? await ctx.facts.contact(confirmWithId) : null;
  if (other) await ctx.plan({ ...common, recipient: { type: 'contact', id: other.id, timeZone: other.timeZone } });
}

async function cancelFor(e: DomainEvent<'interview.cancelled' | 'interview.no_show'>, ctx: RuleContext<Timing, Facts>, reason: string): Promise<void> {
  await ctx.cancel({ interviewId: e.payload.interviewId }, reason);
}
