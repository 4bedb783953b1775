import { DateTime } from 'luxon';
import { interviewInviteUid } from '../../messaging/domain/calendar-invite';
import type { OutboundRequest } from '../../messaging/outbound.types';
import type { Channel } from '../../messaging/domain/channel';
import { ONE_OFF } from '../follow-up.entity';
import type { FollowUpEntity } from '../follow-up.entity';
import type { Composition } from './follow-up.composer';

/**
 * Occurrences of the one-off notices an interview's invitees get when it changes or is cancelled
 * (planning/interview-invites.reaction.ts): `invite:update:<n>` and `invite:cancel:<n>`, n being
 * the invite's revision (1, 2, …), its SEQUENCE. The first invite is revision 0.
 */
export const INVITE_UPDATE = 'invite:update:';
export const INVITE_CANCEL = 'invite:cancel:';

/** The revision a notice carries, from its occurrence. */
function revisionOf(occurrence: string): number {
  const n = Number(occurrence.slice(occurrence.lastIndexOf(':') + 1));
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function isInviteNotice(f: Pick<FollowUpEntity, 'rule' | 'occurrence'>): boolean {
  return f.rule === ONE_OFF && f.occurrence.startsWith('invite:');
}

/**
 * The calendar invite an email follow-up carries, if any:
 *   an interview confirmation → METHOD:REQUEST, SEQUENCE = the invite's latest revision;
 *   an update notice → METHOD:REQUEST, SEQUENCE = its revision (the UID is the interview's, so the calendar entry changes);
 *   a cancellation notice → METHOD:CANCEL, SEQUENCE = its revision.
 * The organizer is the signing recruiter; without one (a firm with no active admin) no invite.
 */
export function inviteFor(f: FollowUpEntity, composition: Composition, channel: Channel): OutboundRequest['invite'] {
  if (channel !== 'email' || composition.kind !== 'compose' || !composition.interview || !composition.signer?.email) return undefined;
  const notice = isInviteNotice(f);
  if (f.rule !== 'interview_confirmation' && !notice) return undefined;
  const cancel = notice && f.occurrence.startsWith(INVITE_CANCEL);
  const { interview, revision, zone, summary } = composition.interview;
  const start = interview.startsAt;
  const end = new Date(start.getTime() + interview.durationMinutes * 60_000);
  const local = DateTime.fromJSDate(start).setZone(zone);
  const where = interview.location ?? interview.meetingUrl;
  return {
    uid: interviewInviteUid(interview.id),
    // A notice carries its own revision; a confirmation the latest (a later one supersedes it).
    sequence: notice ? revisionOf(f.occurrence) : revision,
    method: cancel ? 'CANCEL' : 'REQUEST',
    start,
    end,
    timeZone: zone,
    summary,
    description: [
      `${local.toFormat("cccc, LLLL d 'at' h:mm a ZZZZ")} (${zone}), ${interview.durationMinutes} minutes.`,
      ...(where ? [`Where: ${where}`] : []),
      ...(interview.meetingUrl && interview.location ? [`Join: ${interview.meetingUrl}`] : []),
      `Questions: ${composition.signer.name} <${composition.signer.email}>`,
    ].join('\n'),
    location: interview.location,
    meetingUrl: interview.meetingUrl,
    organizer: { name: composition.signer.name, email: composition.signer.email },
  };
}
