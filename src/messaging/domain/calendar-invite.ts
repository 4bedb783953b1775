import ical, { ICalAttendeeRole, ICalAttendeeStatus, ICalCalendarMethod, ICalEventStatus } from 'ical-generator';

/**
 * An interview as an iCalendar invite (RFC 5545, iTIP RFC 5546), built with ical-generator:
 *   METHOD:REQUEST (a new invite, or an update: same UID, higher SEQUENCE) or METHOD:CANCEL;
 *   DTSTART/DTEND in UTC, the interview's zone named (X-WR-TIMEZONE and the description's local time);
 *   LOCATION (the address, else the meeting URL) and URL; ORGANIZER the recruiter; ATTENDEE the recipient.
 * Gmail, Outlook and Apple Mail show a `text/calendar; method=…` part as an invite.
 */
export type InviteMethod = 'REQUEST' | 'CANCEL';

export interface InterviewInvite {
  /** Stable for the interview, whatever changes: `interview-<id>@touchpoint`. */
  uid: string;
  /** 0 for the first invite; each reschedule adds one, a cancellation one more. */
  sequence: number;
  method: InviteMethod;
  start: Date;
  end: Date;
  /** The IANA zone the interview is in (named, not used for the times, which are UTC). */
  timeZone: string;
  summary: string;
  description: string;
  location: string | null;
  meetingUrl: string | null;
  organizer: { name: string; email: string };
  attendee: { name: string; email: string };
  /** DTSTAMP: when this version of the invite was made. */
  stamp: Date;
}

export function interviewInviteUid(interviewId: string): string {
  return `interview-${interviewId}@touchpoint`;
}

/** The iCalendar text of an invite (CRLF lines, folded at 75 octets by the library). */
export function inviteCalendar(invite: InterviewInvite): string {
  const cancel = invite.method === 'CANCEL';
  const cal = ical({
    prodId: { company: 'Touchpoint', product: 'Touchpoint', language: 'EN' },
    method: cancel ? ICalCalendarMethod.CANCEL : ICalCalendarMethod.REQUEST,
  });
  cal.x('X-WR-TIMEZONE', invite.timeZone);
  const event = cal.createEvent({
    id: invite.uid,
    sequence: invite.sequence,
    stamp: invite.stamp,
    start: invite.start,
    end: invite.end,
    summary: invite.summary,
    description: invite.description,
    location: invite.location ?? invite.meetingUrl ?? null,
    url: invite.meetingUrl ?? null,
    organizer: { name: invite.organizer.name, email: invite.organizer.email },
    status: cancel ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
  });
  event.createAttendee({
    email: invite.attendee.email,
    name: invite.attendee.name,
    role: ICalAttendeeRole.REQ,
    status: ICalAttendeeStatus.NEEDSACTION,
    rsvp: !cancel,
  });
  return cal.toString();
}
