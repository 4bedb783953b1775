import { allowedTransitions, canTransition, isOpen, LEAD_STATUSES, LeadStatus } from './lead-status';

describe('lead status machine', () => {
  it.each<[LeadStatus, LeadStatus]>([
    ['identified', 'applied'],
    ['applied', 'interviewing'],
    ['interviewing', 'offer'],
    ['offer', 'accepted'],
    ['identified', 'withdrawn'],
    ['applied', 'rejected'],
    ['interviewing', 'declined'],
    ['offer', 'declined'],
    ['offer', 'closed'],
  ])('allows %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(true);
  });

  it.each<[LeadStatus, LeadStatus]>([
    ['identified', 'interviewing'],
    ['identified', 'offer'],
    ['applied', 'identified'],
    ['offer', 'interviewing'],
    ['identified', 'accepted'],
    ['applied', 'applied'],
    ['accepted', 'closed'],
    ['rejected', 'applied'],
    ['closed', 'identified'],
  ])('refuses %s → %s', (from, to) => {
    expect(canTransition(from, to)).toBe(false);
  });

  it('names the allowed moves, and none from a terminal state', () => {
    expect(allowedTransitions('applied')).toEqual(['interviewing', 'declined', 'rejected', 'withdrawn', 'closed']);
    for (const s of ['accepted', 'declined', 'rejected', 'withdrawn', 'closed'] as const) {
      expect(isOpen(s)).toBe(false);
      expect(allowedTransitions(s)).toEqual([]);
    }
  });

  it('never allows staying put', () => {
    for (const s of LEAD_STATUSES) expect(canTransition(s, s)).toBe(false);
  });
});
