import { useQuery } from '@tanstack/react-query';
import { request } from './client';
import type { FragmentOf, ResultOf } from './graphql';
import { readFragment } from './graphql';
import { EditFollowUp, FollowUpFields, PersonNameQuery } from './operations';

/**
 * Previews of follow-ups, behind one typed layer.
 *
 * A pending follow-up carries the API's preview (FollowUp.preview), composed by the same code
 * that sends: the channel it would use now and why, the recipient by name and address, the
 * rendered text, and the due time in the recipient's and the recruiter's zones. A sent, cancelled
 * or skipped one has none; for those this layer names the recipient from the candidate or contact
 * and formats the times in the page.
 */
export type FollowUp = ResultOf<typeof FollowUpFields>;

export interface LocalTime {
  zone: string;
  text: string;
}

export interface FollowUpPreview {
  /** send, skip, cancel, task or fail (what would happen now); null for a finished follow-up. */
  outcome: string | null;
  channel: 'email' | 'sms' | null;
  channelReason: string;
  skipReason: string | null;
  recipient: { type: string; id: string | null; name: string; email: string | null; phone: string | null };
  address: string | null;
  subject: string | null;
  body: string | null;
  dueAt: string;
  dueLocal: { recipient: LocalTime; recruiter: LocalTime };
  requiresApproval: boolean;
  edited: boolean;
}

/** Whether the API can change the text of one pending follow-up (editFollowUp). */
export const CAN_EDIT_TEXT = true;

export function recruiterZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** "Tue, Dec 1, 10:00 AM EST" in `zone`. */
export function formatInZone(iso: string, zone: string, opts: { withDate?: boolean } = {}): string {
  const withDate = opts.withDate ?? true;
  return new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    ...(withDate ? { weekday: 'short', month: 'short', day: 'numeric' } : {}),
    hour: 'numeric',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(new Date(iso));
}

function usePerson(type: string | null | undefined, id: string | null | undefined) {
  return useQuery({
    queryKey: ['person', type, id],
    enabled: !!id && (type === 'candidate' || type === 'contact'),
    staleTime: 60_000,
    queryFn: async () => {
      const data = await request(PersonNameQuery, {
        candidateId: id ?? '',
        isCandidate: type === 'candidate',
        contactId: id ?? '',
        isContact: type === 'contact',
      });
      return data.candidate ?? data.contact ?? null;
    },
  });
}

function channelOf(c: string | null | undefined): 'email' | 'sms' | null {
  return c === 'email' || c === 'sms' ? c : null;
}

/** The preview of one follow-up (null while the recipient of a finished one is being named). */
export function usePreview(fragment: FragmentOf<typeof FollowUpFields>, firmZone: string, userName?: string): FollowUpPreview | null {
  const f = readFragment(FollowUpFields, fragment);
  const p = f.preview;
  const isPerson = f.recipientType === 'candidate' || f.recipientType === 'contact';
  // Only a follow-up without the API's preview (sent, cancelled, skipped…) needs its recipient looked up.
  const person = usePerson(isPerson && !p?.recipient ? f.recipientType : null, isPerson && !p?.recipient ? f.recipientId : null);
  if (p) {
    return {
      outcome: p.outcome,
      channel: channelOf(p.channel),
      channelReason: p.channelReason,
      skipReason: p.skipReason,
      recipient: p.recipient
        ? { type: p.recipient.type, id: p.recipient.id, name: p.recipient.name, email: p.recipient.email, phone: p.recipient.phone }
        : { type: 'user', id: f.recipientId, name: userName ? `${userName} (you)` : 'You', email: null, phone: null },
      address: p.address,
      subject: p.subject,
      body: p.body,
      dueAt: p.dueAt,
      dueLocal: {
        recipient: p.dueLocal.recipient,
        // "Yours": the recruiter's own zone, as everywhere on the page.
        recruiter: { zone: recruiterZone(), text: formatInZone(p.dueAt, recruiterZone()) },
      },
      requiresApproval: p.requiresApproval,
      edited: p.edited,
    };
  }
  if (isPerson && person.isPending) return null;
  const who = person.data;
  const recipientZone = who?.timeZone ?? firmZone;
  const channel = channelOf(f.channel);
  return {
    outcome: null,
    channel,
    channelReason: channel ? 'chosen when it was sent' : '',
    skipReason: f.status === 'skipped' || f.status === 'failed' ? f.reason : null,
    recipient: isPerson
      ? { type: f.recipientType, id: f.recipientId, name: who?.name ?? 'Someone no longer on file', email: who?.email ?? null, phone: who?.phone ?? null }
      : { type: 'user', id: f.recipientId, name: userName ? `${userName} (you)` : 'You', email: null, phone: null },
    address: channel === 'email' ? (who?.email ?? null) : channel === 'sms' ? (who?.phone ?? null) : null,
    subject: f.subject,
    body: f.body,
    dueAt: f.dueAt,
    dueLocal: {
      recipient: { zone: recipientZone, text: formatInZone(f.dueAt, recipientZone) },
      recruiter: { zone: recruiterZone(), text: formatInZone(f.dueAt, recruiterZone()) },
    },
    requiresApproval: f.requiresApproval,
    edited: false,
  };
}

/** Edits the text of one pending follow-up; null goes back to the template. */
export async function editFollowUpText(id: string, text: { subject?: string | null; body?: string | null }): Promise<void> {
  await request(EditFollowUp, { id, input: text });
}
