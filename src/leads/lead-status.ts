/**
 * The lead status machine, as the spec defines it:
 *   identified → applied → interviewing → offer → accepted
 *   any open state → declined | rejected | withdrawn | closed
 * Terminal states have no way out. Pure, so it is unit-tested on its own.
 */
export const LEAD_STATUSES = ['identified', 'applied', 'interviewing', 'offer', 'accepted', 'declined', 'rejected', 'withdrawn', 'closed'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const OPEN_LEAD_STATUSES: readonly LeadStatus[] = ['identified', 'applied', 'interviewing', 'offer'];
const EXITS: readonly LeadStatus[] = ['declined', 'rejected', 'withdrawn', 'closed'];
const NEXT: Partial<Record<LeadStatus, LeadStatus>> = {
  identified: 'applied',
  applied: 'interviewing',
  interviewing: 'offer',
  offer: 'accepted',
};

export function isOpen(status: LeadStatus): boolean {
  return OPEN_LEAD_STATUSES.includes(status);
}

/** Where a lead in `from` may go next; empty for a terminal state. */
export function allowedTransitions(from: LeadStatus): LeadStatus[] {
  if (!isOpen(from)) return [];
  const next = NEXT[from];
  return next ? [next, ...EXITS] : [...EXITS];
}

export function canTransition(from: LeadStatus, to: LeadStatus): boolean {
  return allowedTransitions(from).includes(to);
}
