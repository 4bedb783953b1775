// ical.js is an ES module with a CommonJS build under its `require` condition (what Jest loads).
import type ICALModule from 'ical.js' with { 'resolution-mode': 'import' };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ICAL = require('ical.js') as typeof ICALModule;
import { SmtpTestServer } from '../support/smtp-test.server';
import type { CapturedEmail } from '../support/smtp-test.server';
import { useIsolatedDatabase } from '../support/test-app';
import type { SignedUp } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf, signup as signupFirm } from '../follow-ups/support';

// The cross-tenant dispatcher runs here: a database of its own.
useIsolatedDatabase();

interface ParsedInvite {
  /** The MIME part's own method parameter (what mail clients read first). */
  partMethod: string | undefined;
  method: string;
  uid: string;
  sequence: number;
  start: Date;
  end: Date;
  startIsUtc: boolean;
  zoneNamed: string | undefined;
  location: string | null;
  url: string | null;
  organizer: string;
  organizerName: string | undefined;
  attendee: string;
  status: string | null;
}

/** The text/calendar part of a received email, found by mailparser and parsed back by ical.js. */
function inviteOf(mail: CapturedEmail): ParsedInvite {
  const part = mail.parsed.attachments.find((a) => a.contentType === 'text/calendar');
  if (!part) throw new Error(`no text/calendar part in "${mail.subject}"`);
  const contentType = part.headers.get('content-type') as { value: string; params: Record<string, string> } | undefined;
  const cal = new ICAL.Component(ICAL.parse(part.content.toString('utf8')) as unknown[]);
  const vevent = cal.getFirstSubcomponent('vevent')!;
  const event = new ICAL.Event(vevent);
  const organizer = vevent.getFirstProperty('organizer')!;
  return {
    partMethod: contentType?.params.method,
    method: String(cal.getFirstPropertyValue('method')),
    uid: event.uid,
    sequence: event.sequence,
    start: event.startDate.toJSDate(),
    end: event.endDate.toJSDate(),
    startIsUtc: event.startDate.zone?.tzid === 'UTC',
    zoneNamed: cal.getFirstPropertyValue('x-wr-timezone') as string | undefined,
    location: event.location,
    url: (vevent.getFirstPropertyValue('url') as string | null) ?? null,
    organizer: String(organizer.getFirstValue()),
    organizerName: organizer.getParameter('cn') as string | undefined,
    attendee: String(vevent.getFirstPropertyValue('attendee')),
    status: (vevent.getFirstPropertyValue('status') as string | null) ?? null,
  };
}

/**
 * Calendar invites (issue 16), as the SMTP test server receives them: the confirmation carries
 * METHOD:REQUEST, a reschedule sends an update (same UID, higher SEQUENCE), a cancellation
 * METHOD:CANCEL. Parsed back from the MIME with mailparser and ical.js.
 */
describe('interview calendar invites', () => {
  const smtp = new SmtpTestServer();
  let h: EngineHarness;
  let a: SignedUp;

  beforeAll(async () => {
    const { url } = await smtp.start();
    // Tuesday 1 December 2026, 09:00 in New York.
    h = await bootEngine('2026-12-01T14:00:00Z', { SMTP_URL: url });
    a = await signup(h.t);
    await api(h.t, a).put('/v1/settings/senders', { emailFromAddress: 'recruiting@acme-staffing.example' }).expect(200);
  });
  afterAll(async () => {
    await h.t.close();
    await smtp.stop();
  });

  function signup(t: EngineHarness['t']): Promise<SignedUp> {
    return signupFirm(t, { timeZone: 'America/New_York', name: 'Rita Recruiter' });
  }

  const to = (who: string) => (m: CapturedEmail) => m.to[0]?.address === who;
  const invites = () => smtp.messages.filter((m) => m.parsed.attachments.some((x) => x.contentType === 'text/calendar'));

  it('sends the invite with the confirmation, an update after a reschedule and a cancel after a cancellation', async () => {
    const x = api(h.t, a);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example', company: 'Acme', roles: ['employer_contact'] }).expect(201)).body;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com', timeZone: 'America/Chicago' }).expect(201)).body;
    const lead = (await x.post('/v1/leads', { candidateId: jane.id, company: 'Acme', position: 'Data Engineer', source: 'job_board', employerContactId: hank.id }).expect(201)).body;
    const interview = (
      await x
        .post('/v1/interviews', {
          leadId: lead.id,
          startsAt: '2026-12-10T15:00:00Z',
          durationMinutes: 45,
          format: 'video',
          meetingUrl: 'https://meet.example.com/abc-defg-hij',
          timeZone: 'America/New_York',
          interviewerIds: [hank.id],
        })
        .expect(201)
    ).body;
    const interviewId: string = interview.id ?? interview.interview?.id;

    // The day before: the confirmations, each with the invite.
    h.clock.set('2026-12-09T16:00:30Z');
    await h.dispatcher.drain();
    await smtp.waitFor(2);
    const confirmations = invites();
    expect(confirmations).toHaveLength(2);
    const toJane = confirmations.find(to('jane@example.com'))!;
    expect(toJane.subject).toBe('Confirming your interview with Acme on Thursday, December 10');
    expect(toJane.text).toContain('Please reply YES to confirm');
    const first = inviteOf(toJane);
    expect(first).toMatchObject({
      partMethod: 'REQUEST',
      method: 'REQUEST',
      uid: `interview-${interviewId}@touchpoint`,
      sequence: 0,
      startIsUtc: true,
      zoneNamed: 'America/New_York',
      location: 'https://meet.example.com/abc-defg-hij',
      url: 'https://meet.example.com/abc-defg-hij',
      organizer: `mailto:${a.email}`,
      organizerName: 'Rita Recruiter',
      status: 'CONFIRMED',
    });
    expect(first.attendee.toLowerCase()).toBe('mailto:jane@example.com');
    expect(first.start.toISOString()).toBe('2026-12-10T15:00:00.000Z');
    expect(first.end.toISOString()).toBe('2026-12-10T15:45:00.000Z');
    const toHank = inviteOf(confirmations.find(to('hank@acme.example'))!);
    expect(toHank).toMatchObject({ uid: first.uid, sequence: 0, method: 'REQUEST' });
    expect(toHank.attendee.toLowerCase()).toBe('mailto:hank@acme.example');

    // Moved to Friday: both get the update now, same UID, SEQUENCE 1, the new time.
    await x.post(`/v1/interviews/${interviewId}/reschedule`, { startsAt: '2026-12-11T19:00:00Z', reason: 'the manager is travelling' }).expect(200);
    await h.dispatcher.drain();
    await smtp.waitFor(4);
    const updates = invites().slice(2);
    expect(updates).toHaveLength(2);
    const janeUpdate = updates.find(to('jane@example.com'))!;
    // Jane lives in Chicago: her note says her time; the invite itself is UTC.
    expect(janeUpdate.text).toContain('has moved to Friday, December 11 at 1:00 PM CST');
    const update = inviteOf(janeUpdate);
    expect(update).toMatchObject({ partMethod: 'REQUEST', method: 'REQUEST', uid: first.uid, sequence: 1, startIsUtc: true });
    expect(update.start.toISOString()).toBe('2026-12-11T19:00:00.000Z');
    expect(update.end.toISOString()).toBe('2026-12-11T19:45:00.000Z');
    expect(inviteOf(updates.find(to('hank@acme.example'))!)).toMatchObject({ uid: first.uid, sequence: 1 });
    // One conversation about the lead: the update answers the confirmation.
    expect(janeUpdate.inReplyTo).toBe(toJane.messageId);

    // Cancelled: METHOD:CANCEL, SEQUENCE 2, to both.
    await x.post(`/v1/interviews/${interviewId}/cancel`, { reason: 'position filled' }).expect(200);
    await h.dispatcher.drain();
    await smtp.waitFor(6);
    const cancels = invites().slice(4);
    expect(cancels).toHaveLength(2);
    for (const mail of cancels) {
      expect(inviteOf(mail)).toMatchObject({ partMethod: 'CANCEL', method: 'CANCEL', uid: first.uid, sequence: 2, status: 'CANCELLED' });
    }
    // The re-planned day-before confirmation for Friday was cancelled with the interview.
    const pending = await followUpsOf(a.tenantId, `interview_id = $2 AND status = 'planned'`, [interviewId]);
    expect(pending).toHaveLength(0);
    // Nothing else went out: no second update, no confirmation for the cancelled time.
    await h.dispatcher.drain();
    expect(invites()).toHaveLength(6);
  });
  it('a notice not sent yet is superseded: moved twice outside the window, then cancelled, only the cancel goes', async () => {
    const x = api(h.t, a);
    h.clock.set('2026-12-20T15:00:00Z');
    const jane = (await x.post('/v1/candidates', { name: 'Jane Roe', email: 'jane.roe@example.com' }).expect(201)).body;
    const lead = (await x.post('/v1/leads', { candidateId: jane.id, company: 'Globex', position: 'Analyst', source: 'job_board' }).expect(201)).body;
    const interview = (await x.post('/v1/interviews', { leadId: lead.id, startsAt: '2026-12-22T15:00:00Z', durationMinutes: 30, format: 'in_person', location: '1 Main St, Springfield' }).expect(201)).body;
    const id: string = interview.id ?? interview.interview?.id;
    h.clock.set('2026-12-21T15:00:30Z');
    await h.dispatcher.drain();
    await smtp.waitFor(7);
    const before = invites().length;
    const confirmation = invites().find(to('jane.roe@example.com'))!;
    expect(inviteOf(confirmation)).toMatchObject({ method: 'REQUEST', sequence: 0, location: '1 Main St, Springfield', url: null });
    // 23:00 in New York: outside the sending window, so the notices wait.
    h.clock.set('2026-12-22T04:00:00Z');
    await x.post(`/v1/interviews/${id}/reschedule`, { startsAt: '2026-12-23T15:00:00Z' }).expect(200);
    await x.post(`/v1/interviews/${id}/reschedule`, { startsAt: '2026-12-24T15:00:00Z' }).expect(200);
    const notices = await followUpsOf(a.tenantId, `interview_id = $2 AND rule = 'one_off'`, [id]);
    expect(notices.map((n) => [n.occurrence, n.status]).sort()).toEqual([
      ['invite:update:1', 'cancelled'],
      ['invite:update:2', 'planned'],
    ]);
    await x.post(`/v1/interviews/${id}/cancel`, { reason: 'the role was withdrawn' }).expect(200);
    h.clock.set('2026-12-22T14:30:00Z');
    await h.dispatcher.drain();
    await smtp.waitFor(before + 1);
    const after = invites().slice(before).filter(to('jane.roe@example.com'));
    expect(after).toHaveLength(1);
    expect(inviteOf(after[0]!)).toMatchObject({ method: 'CANCEL', sequence: 3, uid: `interview-${id}@touchpoint` });
  });
  it('a new meeting link is an update too: same UID, the next SEQUENCE, the new URL', async () => {
    const x = api(h.t, a);
    h.clock.set('2027-01-04T15:00:00Z');
    const jane = (await x.post('/v1/candidates', { name: 'Jane Poe', email: 'jane.poe@example.com' }).expect(201)).body;
    const lead = (await x.post('/v1/leads', { candidateId: jane.id, company: 'Initech', position: 'Developer', source: 'job_board' }).expect(201)).body;
    const interview = (await x.post('/v1/interviews', { leadId: lead.id, startsAt: '2027-01-06T16:00:00Z', durationMinutes: 60, format: 'video', meetingUrl: 'https://meet.example.com/old-link' }).expect(201)).body;
    const id: string = interview.id ?? interview.interview?.id;
    h.clock.set('2027-01-05T16:00:30Z');
    await h.dispatcher.drain();
    await smtp.waitFor(smtp.messages.length);
    const confirmation = invites().filter(to('jane.poe@example.com'));
    expect(confirmation).toHaveLength(1);
    expect(inviteOf(confirmation[0]!)).toMatchObject({ sequence: 0, url: 'https://meet.example.com/old-link' });

    await x.patch(`/v1/interviews/${id}`, { meetingUrl: 'https://meet.example.com/new-link' }).expect(200);
    await h.dispatcher.drain();
    await smtp.waitFor(smtp.messages.length);
    const mails = invites().filter(to('jane.poe@example.com'));
    expect(mails).toHaveLength(2);
    expect(mails[1]!.text).toContain('is now online: https://meet.example.com/new-link');
    expect(inviteOf(mails[1]!)).toMatchObject({ method: 'REQUEST', uid: `interview-${id}@touchpoint`, sequence: 1, url: 'https://meet.example.com/new-link' });
    // Changing who interviews is not a change of the invite.
    const ivy = (await x.post('/v1/contacts', { name: 'Ivy Interviewer', email: 'ivy@initech.example' }).expect(201)).body;
    await x.patch(`/v1/interviews/${id}`, { interviewerIds: [ivy.id] }).expect(200);
    expect(await followUpsOf(a.tenantId, `interview_id = $2 AND rule = 'one_off' AND status = 'planned'`, [id])).toHaveLength(0);
  });
});
