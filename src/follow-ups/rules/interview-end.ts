import type { CandidateEntity } from '../../candidates/candidate.entity';
import type { InterviewEntity } from '../../interviews/interview.entity';
import type { LeadEntity } from '../../leads/lead.entity';
import type { PlanningFacts } from './rule';

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
