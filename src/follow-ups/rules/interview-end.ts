import type { CandidateEntity } from '../../candidates/candidate.entity';
import type { InterviewEntity } from '../../interviews/interview.entity';
import type { LeadEntity } from '../../leads/lead.entity';
import { occurrence } from '../domain/occurrence';
import type { PlanningFacts, RuleContext, RuleTriggers, SendFacts, Timing } from './rule';

/**
 * When an interview's thank-yous count from (`interview_thank_you`, `thank_you_reminder`): the
 * scheduled end, or the moment it was marked completed when that was earlier (an interview that
 * ended early is thanked early). `endsAt` stays the scheduled end: deadlines count from it.
 */
export interface InterviewEnd {
  endsAt: Date;
  completedAt: Date | null;
}

export function interviewEnd(interview: InterviewEntity): InterviewEnd {
  return {
    endsAt: new Date(interview.startsAt.getTime() + interview.durationMinutes * 60_000),
    completedAt: interview.status === 'completed' ? interview.statusChangedAt : null,
  };
}

/** The earlier of the scheduled end and the completion. */
export function thanksFrom(end: InterviewEnd): Date {
  return end.completedAt && end.completedAt.getTime() < end.endsAt.getTime() ? end.completedAt : end.endsAt;
}

/** An interview whose thank-yous are still due (not cancelled or a no-show), with its lead and candidate. */
export async function thankedInterview(
  facts: PlanningFacts,
  interviewId: string,
): Promise<{ interview: InterviewEntity; interviewerIds: string[]; lead: LeadEntity; candidate: CandidateEntity } | null> {
  const found = await facts.interview(interviewId);
  if (!found || ['cancelled', 'no_show'].includes(found.interview.status)) return null;
  const lead = await facts.lead(found.interview.leadId);
  const candidate = await facts.candidate(found.interview.candidateId);
  return lead && candidate ? { ...found, lead, candidate } : null;
}

/**
 * The triggers both thank-you rules share: plan on scheduling, on a reschedule (the old time's
 * rows cancelled) and on completion (early or late: the thank-you moves to `after` the
 * completion if that is sooner); cancel on a cancellation or a no-show.
 */
export function interviewThankYouTriggers<T extends Timing>(
  plan: (interviewId: string, ctx: RuleContext<T, InterviewEnd>) => Promise<void>,
): RuleTriggers<T, InterviewEnd> {
  return {
    'interview.scheduled': (e, ctx) => plan(e.payload.interviewId, ctx),
    'interview.rescheduled': async (e, ctx) => {
      await ctx.cancel({ interviewId: e.payload.interviewId, notOccurrence: occurrence.startsAt(new Date(e.payload.newStartsAt)) }, 'the interview was rescheduled');
      await plan(e.payload.interviewId, ctx);
    },
    'interview.completed': (e, ctx) => plan(e.payload.interviewId, ctx),
    'interview.cancelled': (e, ctx) => ctx.cancel({ interviewId: e.payload.interviewId }, 'the interview was cancelled').then(() => undefined),
    'interview.no_show': (e, ctx) => ctx.cancel({ interviewId: e.payload.interviewId }, 'the interview was a no-show').then(() => undefined),
  };
}

/** The send-time check both thank-you rules share: not for a cancelled or no-show interview. */
export function interviewStillHeld({ interview }: SendFacts): string | null {
  return interview && ['cancelled', 'no_show'].includes(interview.status) ? `the interview is ${interview.status.replace('_', '-')}` : null;
}
