import { useQuery } from '@tanstack/react-query';
import { request } from './client';
import type { FragmentOf, ResultOf } from './graphql';
import { readFragment } from './graphql';
import { FollowUpFields, PersonNameQuery } from './operations';

/**
 * Previews of follow-ups, behind one typed layer.
 *
 * The API's preview (FollowUp.preview: channel and why, recipient by name and address, the
 * rendered text, the due time in the recipient's and the recruiter's zones) is being built with
 * the engine rewrite. Until it is in schema.gql this layer assembles what the current API can
 * tell: the recipient by name and address (candidate / contact queries), the channel when it is
 * decided, the text of a one-off message, and the local times. Pages use only this module, so
 * switching to the API's preview changes this file alone.
 */
export type FollowUp = ResultOf<typeof FollowUpFields>;

export interface LocalTime {
  zone: string;
  text: string;
}

export interface FollowUpPreview {
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
}

/** Whether the API can change the text of one pending follow-up (PATCH /v1/follow-ups/:id). */
export const CAN_EDIT_TEXT = false;

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

/** The preview of one follow-up (null while loading, and for sent or cancelled ones' missing parts). */
export function usePreview(fragment: FragmentOf<typeof FollowUpFields>, firmZone: string, userName?: string): FollowUpPreview | null {
  const f = readFragment(FollowUpFields, fragment);
  const isPerson = f.recipientType === 'candidate' || f.recipientType === 'contact';
  const person = usePerson(isPerson ? f.recipientType : null, isPerson ? f.recipientId : null);
  if (isPerson && person.isPending) return null;
  const p = person.data;
  const recipientZone = p?.timeZone ?? firmZone;
  const channel = f.channel === 'email' || f.channel === 'sms' ? f.channel : null;
  const address = channel === 'email' ? (p?.email ?? null) : channel === 'sms' ? (p?.phone ?? null) : null;
  return {
    channel,
    channelReason: channel ? 'chosen when it was sent' : 'chosen when it goes out: the channel they last used, else their preference, else email',
    skipReason: f.status === 'skipped' || f.status === 'failed' ? f.reason : null,
    recipient: isPerson
      ? { type: f.recipientType, id: f.recipientId, name: p?.name ?? 'Someone no longer on file', email: p?.email ?? null, phone: p?.phone ?? null }
      : { type: 'user', id: f.recipientId, name: userName ? `${userName} (you)` : 'You', email: null, phone: null },
    address,
    subject: f.subject,
    body: f.body,
    dueAt: f.dueAt,
    dueLocal: {
      recipient: { zone: recipientZone, text: formatInZone(f.dueAt, recipientZone) },
      recruiter: { zone: recruiterZone(), text: formatInZone(f.dueAt, recruiterZone()) },
    },
    requiresApproval: f.requiresApproval,
  };
}

/** Edits the text of one pending follow-up (null resets it to the template). Not in the API yet. */
export async function editFollowUpText(_id: string, _text: { subject?: string | null; body?: string | null }): Promise<void> {
  throw new Error('Editing the text of one follow-up is not available in this version of the API.');
}

/** Renders a template with a real candidate's data: the API's preview when it has one, else here. */
export function renderTemplateLocally(text: string, vars: Record<string, string>): string {
  return text.replace(/\{\{\s*([A-Za-z]+)\s*\}\}/g, (_m, name: string) => vars[name] ?? `{{${name}}}`);
}
