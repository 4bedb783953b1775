import type { InterviewEntity } from '../../interviews/interview.entity';

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
