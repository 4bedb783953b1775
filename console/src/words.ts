/** The API's keys in a recruiter's words. */
export const RULE_LABELS: Record<string, string> = {
  resume_follow_up: 'Resume follow-up',
  interview_confirmation: 'Interview confirmation',
  interview_thank_you: 'Interview thank-you',
  thank_you_reminder: 'Thank-you reminder',
  referral_update: 'Referral update',
  reference_heads_up: 'Reference heads-up',
  offer_thank_you: 'Offer thank-you',
  no_reply_nudge: 'No-reply nudge',
  candidate_check_in: 'Check-in',
  one_off: 'Your message',
};

export const RULE_DESCRIPTIONS: Record<string, string> = {
  resume_follow_up: 'After a lead moves to applied, asks the employer contact about the resume.',
  interview_confirmation: 'The day before an interview, confirms it with the candidate and the employer.',
  interview_thank_you: 'After an interview, thanks each interviewer.',
  thank_you_reminder: 'After an interview, reminds the candidate to send their thanks.',
  referral_update: "Keeps a lead's referrer posted on its progress.",
  reference_heads_up: 'Tells a reference that an employer may call.',
  offer_thank_you: 'Thanks the employer when an offer comes in.',
  no_reply_nudge: 'Nudges someone who has not answered a follow-up.',
  candidate_check_in: 'Checks in with a candidate who has gone quiet.',
};

export function ruleLabel(rule: string | null | undefined): string {
  if (!rule) return 'Message';
  return RULE_LABELS[rule] ?? rule.replace(/_/g, ' ');
}

export const STATUS_LABELS: Record<string, string> = {
  planned: 'Planned',
  awaiting_approval: 'Needs your approval',
  sending: 'Sending',
  sent: 'Sent',
  failed: 'Failed',
  unknown: 'Outcome unknown',
  cancelled: 'Cancelled',
  skipped: 'Skipped',
};

export const LEAD_STATUS_LABELS: Record<string, string> = {
  identified: 'Identified',
  applied: 'Applied',
  interviewing: 'Interviewing',
  offer: 'Offer',
  accepted: 'Accepted',
  declined: 'Declined',
  rejected: 'Rejected',
  withdrawn: 'Withdrawn',
  closed: 'Closed',
};

export function channelLabel(channel: string | null | undefined): string {
  return channel === 'sms' ? 'SMS' : channel === 'email' ? 'Email' : channel === 'phone' ? 'Phone' : 'Channel decided at send time';
}

/** "3 minutes ago", "yesterday", or a date. */
export function ago(iso: string, now: number = Date.now()): string {
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} minute${m === 1 ? '' : 's'} ago`;
  const h = Math.round(m / 60);
  if (h < 24) return `${h} hour${h === 1 ? '' : 's'} ago`;
  const d = Math.round(h / 24);
  if (d === 1) return 'yesterday';
  if (d < 7) return `${d} days ago`;
  return new Date(iso).toLocaleDateString('en-US', { month: 'short', day: 'numeric' });
}
