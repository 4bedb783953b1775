import type { FollowUpEntity } from '../follow-up.entity';

/**
 * The email conversation a follow-up belongs to, per person: everything about one lead is one
 * thread (the resume follow-up, its nudges, the interview emails); without a lead, a follow-up and
 * its nudges (which name it as their parent). Messaging answers the earlier emails of a thread
 * (OutboundMessenger.context), so the preview and the send carry the same "Re:" subject.
 */
export function threadKeyOf(row: Pick<FollowUpEntity, 'id' | 'leadId' | 'parentFollowUpId'>): string {
  return row.leadId ? `lead:${row.leadId}` : `follow-up:${row.parentFollowUpId ?? row.id}`;
}
