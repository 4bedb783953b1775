import { DateTime } from 'luxon';
import { interviewInviteUid } from '../../messaging/domain/calendar-invite';
import type { OutboundRequest } from '../../messaging/outbound.types';
import type { Channel } from '../domain/channel';
import { ONE_OFF } from '../follow-up.entity';
import type { FollowUpEntity } from '../follow-up.entity';
import type { Composition } from './follow-up.composer';

/**
 * Occurrences of the one-off notices an interview's invitees get when it moves or is cancelled
 * (planning/interview-invites.reaction.ts): `invite:update:<n>` (n = its reschedules) and `invite:cancel`.
 */
export const INVITE_UPDATE = 'invite:update:';
export const INVITE_CANCEL = 'invite:cancel';

export function isInviteNotice(f: Pick<FollowUpEntity, 'rule' | 'occurrence'>): boolean {
  return f.rule === ONE_OFF && f.occurrence.startsWith('invite:');
}

/**
 * The calendar invite an email follow-up carries, if any:
 *   an interview confirmation → METHOD:REQUEST, SEQUENCE = the interview's reschedules;
 *   an update notice → the same (the UID is the interview's, so the calendar entry moves);
 *   a cancellation notice → METHOD:CANCEL, SEQUENCE one higher.
 * The organizer is the signing recruiter; without one (a firm with no active admin) no invite.
 */
export function inviteFor(f: FollowUpEntity, composition: Composition, channel: Channel): OutboundRequest['invite'] {
  if (channel !== 'email' || composition.kind !== 'compose' || !composition.interview || !composition.signer?.email) return undefined;
  const cancel = f.rule === ONE_OFF && f.occurrence === INVITE_CANCEL;
  if (f.rule !== 'interview_confirmation' && !isInviteNotice(f)) return undefined;
  const { interview, reschedules, zone, summary } = composition.interview;
  const start = interview.startsAt;
  const end = new Date(start.getTime() + interview.durationMinutes * 60_000);
  const local = DateTime.fromJSDate(start).setZone(zone);
  const where = interview.location ?? interview.meetingUrl;
  return {
    uid: interviewInviteUid(interview.id),
    sequence: reschedules + (cancel ? 1 : 0),
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
