import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { PUBLIC_URL } from '../messaging/messaging-support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { SmtpTestServer } from '../support/smtp-test.server';
import { bootTestApp, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { api } from './support';

/**
 * Previews: every pending follow-up shows what it would be if it went out now (channel and why,
 * recipient, rendered text, local due time), in REST and GraphQL, on the follow-up, on the lists
 * per lead, interview, candidate and contact, and on the agenda. They are composed by the code
 * that sends, so for every rule and both channels the preview is what the SMTP or Twilio server
 * then receives. A client reads its writes: the plan is there in the very next request.
 */
useIsolatedDatabase();

const START = '2026-12-01T14:00:00Z'; // Tuesday 09:00 in New York
const ACCOUNT = 'AC' + 'b2'.repeat(16);
const TOKEN = 'previews-auth-token-0123456789';

interface Preview {
  outcome: string;
  channel: string | null;
  channelReason: string;
  skipReason: string | null;
  recipient: { type: string; id: string; name: string; email: string | null; phone: string | null } | null;
  address: string | null;
  subject: string | null;
  body: string | null;
  dueAt: string;
  dueLocal: { recipient: { zone: string; text: string }; recruiter: { zone: string; text: string } };
  requiresApproval: boolean;
  edited: boolean;
}

interface FollowUp {
  id: string;
  rule: string;
  status: string;
  kind: string;
  dueAt: string;
  preview: Preview | null;
}

describe('previews', () => {
  const smtp = new SmtpTestServer();
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock(START);
  let t: TestApp;
  let dispatcher: DispatcherService;

  beforeAll(async () => {
    const smtpUrl = (await smtp.start()).url;
    const twilioUrl = (await twilio.start()).url;
    twilio.addAccount(ACCOUNT, TOKEN);
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', SMTP_URL: smtpUrl, TWILIO_API_URL: twilioUrl, PUBLIC_URL } });
    dispatcher = t.app.get(DispatcherService);
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
    await twilio.stop();
  });
  beforeEach(() => clock.set(START));

  let firms = 0;
  async function firm(): Promise<SignedUp> {
    const a = await signup(t, { firmName: 'Acme Staffing', name: 'Pat Recruiter', timeZone: 'America/New_York' });
    // A number of its own: the clock goes back to START for each test, and a sender's rate slots must not carry over.
    firms += 1;
    const from = `+1415556${String(firms).padStart(4, '0')}`;
    await api(t, a).put('/v1/settings/senders', { twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, twilioFrom: from, emailFromAddress: 'pat@acme-staffing.example' }).expect(200);
    return a;
  }

  async function followUps(a: SignedUp, query = ''): Promise<FollowUp[]> {
    return (await api(t, a).get(`/v1/follow-ups?limit=100${query}`).expect(200)).body.items as FollowUp[];
  }

  async function gql<T>(a: SignedUp, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    const res = await request(t.http).post('/graphql').set('Authorization', `Bearer ${a.token}`).send({ query, variables }).expect(200);
    if (res.body.errors) throw new Error(JSON.stringify(res.body.errors));
    return res.body.data as T;
  }

  it('reads its writes: the next request after a status change lists the new plan with its preview (REST and GraphQL)', async () => {
    const a = await firm();
    const x = api(t, a);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', timeZone: 'America/Chicago' }).expect(201)).body.id;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', ownerUserId: a.userId }).expect(201)).body.id;
    const lead = (await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer', employerContactId: hank }).expect(201)).body.id;

    await x.post(`/v1/leads/${lead}/status`, { status: 'applied' }).expect(200);
    const [resume] = (await followUps(a, `&leadId=${lead}`)).filter((f) => f.rule === 'resume_follow_up');
    expect(resume).toMatchObject({ status: 'planned', kind: 'message' });
    expect(resume!.preview).toMatchObject({
      outcome: 'send',
      channel: 'email',
      channelReason: 'email is the default',
      recipient: { type: 'contact', id: hank, name: 'Hank Hiring', email: 'hank@globex.example' },
      address: 'hank@globex.example',
      subject: 'Following up: Jane Doe for Data Engineer',
      requiresApproval: false,
      edited: false,
    });
    expect(resume!.preview!.body).toMatch(/^Hi Hank,\n\nI'm following up on the resume I sent over for Jane Doe/);
    expect(resume!.preview!.body).toMatch(/Pat Recruiter\nAcme Staffing/);
    // A week after the resume went out (08:00 in Chicago, Hank's zone), shown in his zone and the firm's.
    expect(resume!.preview!.dueLocal).toEqual({
      recipient: { zone: 'America/Chicago', text: 'Tue, Dec 8, 8:00 AM CST' },
      recruiter: { zone: 'America/New_York', text: 'Tue, Dec 8, 9:00 AM EST' },
    });

    // GraphQL: the mutation, then the lead's follow-ups in the very next request.
    await gql(a, `mutation($id: ID!) { changeLeadStatus(id: $id, input: { status: interviewing }) { id status } }`, { id: lead });
    const data = await gql<{ lead: { followUps: { rule: string; status: string; preview: Preview | null }[] } }>(
      a,
      `query($id: ID!) { lead(id: $id) { followUps { rule status preview { outcome channel subject recipient { name } } } } }`,
      { id: lead },
    );
    expect(data.lead.followUps).toEqual([{ rule: 'resume_follow_up', status: 'cancelled', preview: null }]);
    await x.post(`/v1/leads/${lead}/status`, { status: 'offer' }).expect(200);
    const offer = await gql<{ followUps: { nodes: { rule: string; preview: Preview }[] } }>(
      a,
      `query($lead: ID!) { followUps(leadId: $lead, status: planned) { nodes { rule preview { outcome channel subject address dueLocal { recipient { zone text } } } } } }`,
      { lead },
    );
    expect(offer.followUps.nodes).toEqual([
      {
        rule: 'offer_thank_you',
        preview: {
          outcome: 'send',
          channel: 'email',
          subject: 'Thank you for your offer to Jane Doe',
          address: 'hank@globex.example',
          dueLocal: { recipient: { zone: 'America/Chicago', text: 'Tue, Dec 1, 8:00 AM CST' } },
        },
      },
    ]);
  });

  it('shows on the lists per interview, candidate and contact, and on the agenda; says why a channel, and why not', async () => {
    const a = await firm();
    const x = api(t, a);
    const ivy = (await x.post('/v1/contacts', { name: 'Ivy Interviewer', email: 'ivy@globex.example', phone: '+14155550161' }).expect(201)).body.id;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', phone: '+14155550123', preferredChannel: 'sms', ownerUserId: a.userId }).expect(201)).body.id;
    const nobody = (await x.post('/v1/candidates', { name: 'Noah Nobody', ownerUserId: a.userId }).expect(201)).body.id;
    const lead = (await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer' }).expect(201)).body.id;
    const interview = (
      await x.post('/v1/interviews', { leadId: lead, startsAt: '2026-12-03T19:00:00Z', durationMinutes: 60, format: 'video', interviewerIds: [ivy] }).expect(201)
    ).body.id;

    const ofInterview = await followUps(a, `&interviewId=${interview}`);
    expect(ofInterview.map((f) => [f.rule, f.preview?.recipient?.name, f.preview?.channel]).sort()).toEqual([
      ['interview_confirmation', 'Jane Doe', 'sms'],
      ['interview_thank_you', 'Ivy Interviewer', 'email'],
      ['thank_you_reminder', 'Jane Doe', 'sms'],
    ]);
    const confirmation = ofInterview.find((f) => f.rule === 'interview_confirmation')!;
    expect(confirmation.preview).toMatchObject({ channelReason: 'SMS is their preferred channel', address: '+14155550123', subject: null });
    // The first text to Jane carries the opt-out line, as it will when it goes.
    expect(confirmation.preview!.body).toBe(
      'Hi Jane, Pat Recruiter from Acme Staffing here. Confirming your interview with Globex on Thursday, December 3 at 2:00 PM EST. Reply YES to confirm. Reply STOP to opt out.',
    );

    const ofContact = await followUps(a, `&contactId=${ivy}`);
    expect(ofContact.map((f) => f.rule)).toEqual(['interview_thank_you']);
    const ofCandidate = await followUps(a, `&candidateId=${jane}`);
    expect(ofCandidate.map((f) => f.rule).sort()).toEqual(['candidate_check_in', 'interview_confirmation', 'interview_thank_you', 'thank_you_reminder']);

    // Nobody can be reached: the preview says so, in words.
    const [checkIn] = await followUps(a, `&candidateId=${nobody}`);
    expect(checkIn!.preview).toMatchObject({ outcome: 'skip', channel: null, skipReason: 'nobody to send to: no email address; no phone number', body: null });

    // GraphQL: the same on the interview, the candidate and the contact.
    const data = await gql<{
      interview: { followUps: { rule: string; preview: { channel: string } }[] };
      candidate: { followUps: { rule: string }[] };
      contact: { followUps: { rule: string; preview: { address: string } }[] };
    }>(
      a,
      `query($i: ID!, $c: ID!, $k: ID!) {
        interview(id: $i) { followUps { rule preview { channel } } }
        candidate(id: $c) { followUps { rule } }
        contact(id: $k) { followUps { rule preview { address } } } }`,
      { i: interview, c: jane, k: ivy },
    );
    expect(data.interview.followUps.map((f) => f.rule).sort()).toEqual(['interview_confirmation', 'interview_thank_you', 'thank_you_reminder']);
    expect(data.candidate.followUps).toHaveLength(4);
    expect(data.contact.followUps).toEqual([{ rule: 'interview_thank_you', preview: { address: 'ivy@globex.example' } }]);

    // The agenda of the day before: what goes out, each with its preview.
    const agenda = (await x.get('/v1/agenda?date=2026-12-02').expect(200)).body;
    expect(agenda.goingOut.map((f: FollowUp) => [f.rule, f.preview?.recipient?.name, f.preview?.dueLocal.recruiter.text])).toEqual([
      ['interview_confirmation', 'Jane Doe', 'Wed, Dec 2, 2:00 PM EST'],
    ]);
    const gqlAgenda = await gql<{ agenda: { goingOut: { preview: { body: string } }[] } }>(a, `{ agenda(date: "2026-12-02") { goingOut { preview { body } } } }`);
    expect(gqlAgenda.agenda.goingOut[0]!.preview.body).toBe(confirmation.preview!.body);
  });

  it('shows what needs approval, and an edited text goes as written', async () => {
    const a = await firm();
    const x = api(t, a);
    await x.put('/v1/settings/follow-up-policy', { offer_thank_you: { requiresApproval: true } }).expect(200);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', ownerUserId: a.userId }).expect(201)).body.id;
    const lead = (await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer', employerContactId: hank, status: 'interviewing' }).expect(201)).body.id;
    await x.post(`/v1/leads/${lead}/status`, { status: 'offer' }).expect(200);
    const [offer] = await followUps(a, `&leadId=${lead}&status=awaiting_approval`);
    expect(offer!.preview).toMatchObject({ requiresApproval: true, outcome: 'send', subject: 'Thank you for your offer to Jane Doe' });

    const edited = await x.patch(`/v1/follow-ups/${offer!.id}`, { subject: 'Thank you, Hank', body: 'Hank, thank you for the offer to Jane. Next steps?\n\nPat' }).expect(200);
    expect(edited.body.preview).toMatchObject({ edited: true, subject: 'Thank you, Hank', body: 'Hank, thank you for the offer to Jane. Next steps?\n\nPat' });
    // Bad edits name the field and change nothing.
    for (const [body, field] of [
      [{}, 'body'],
      [{ body: '' }, 'body'],
      [{ body: 42 }, 'body'],
      [{ subject: 'two\nlines', body: 'x' }, 'subject'],
      [{ body: 'x'.repeat(5001) }, 'body'],
      [{ body: 'x', tenantId: a.tenantId }, 'tenantId'],
    ] as const) {
      const res = await x.patch(`/v1/follow-ups/${offer!.id}`, body).expect(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await x.post(`/v1/follow-ups/${offer!.id}/approve`).expect(200);
    await dispatcher.drain();
    const mail = smtp.messages.find((m) => m.envelope.to.includes('hank@globex.example') && m.subject === 'Thank you, Hank');
    expect(mail?.parsed.text?.trim()).toBe('Hank, thank you for the offer to Jane. Next steps?\n\nPat');

    // Another firm can neither see nor edit it.
    const b = await signup(t);
    await api(t, b).get(`/v1/follow-ups/${offer!.id}`).expect(404);
    await api(t, b).patch(`/v1/follow-ups/${offer!.id}`, { body: 'mine now' }).expect(404);
    const res = await request(t.http)
      .post('/graphql')
      .set('Authorization', `Bearer ${b.token}`)
      .send({ query: `mutation($id: ID!) { editFollowUp(id: $id, input: { body: "mine" }) { id } }`, variables: { id: offer!.id } });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  describe.each(['email', 'sms'] as const)('preview equals send, every rule, by %s', (channel) => {
    it(`what each rule's preview shows is what the ${channel === 'email' ? 'SMTP' : 'Twilio'} server receives`, async () => {
      const a = await firm();
      const x = api(t, a);
      let n = 0;
      const person = (name: string): Record<string, unknown> => {
        n += 1;
        return { name, email: `${name.split(' ')[0]!.toLowerCase()}@people.example`, phone: `+1415555${String(200 + n).padStart(4, '0')}`, preferredChannel: channel };
      };
      const hank = (await x.post('/v1/contacts', { ...person('Hank Hiring'), company: 'Globex' }).expect(201)).body.id;
      const ivy = (await x.post('/v1/contacts', person('Ivy Interviewer')).expect(201)).body.id;
      const rita = (await x.post('/v1/contacts', person('Rita Referrer')).expect(201)).body.id;
      const rex = (await x.post('/v1/contacts', person('Rex Reference')).expect(201)).body.id;
      const jane = (await x.post('/v1/candidates', { ...person('Jane Doe'), ownerUserId: a.userId }).expect(201)).body.id;
      const lead = (
        await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer', source: 'referral', referrerContactId: rita, employerContactId: hank }).expect(201)
      ).body.id;
      await x.post(`/v1/leads/${lead}/status`, { status: 'applied' }).expect(200);
      const reference = (await x.post('/v1/references', { candidateId: jane, contactId: rex, relationship: 'former manager' }).expect(201)).body.id;
      await x.post(`/v1/leads/${lead}/references`, { referenceIds: [reference] }).expect((r) => expect(r.status).toBeLessThan(300));
      await x.post('/v1/interviews', { leadId: lead, startsAt: '2026-12-04T19:00:00Z', durationMinutes: 60, format: 'video', interviewerIds: [ivy] }).expect(201);
      await x.post(`/v1/leads/${lead}/status`, { status: 'interviewing' }).expect(200);
      // A second lead stays applied: its resume follow-up goes out a week later.
      const other = (await x.post('/v1/leads', { candidateId: jane, company: 'Initech', position: 'Analyst', employerContactId: hank }).expect(201)).body.id;
      await x.post(`/v1/leads/${other}/status`, { status: 'applied' }).expect(200);

      const compared = new Set<string>();
      for (let step = 0; step < 40 && compared.size < 9; step += 1) {
        if (step === 8) await x.post(`/v1/leads/${lead}/status`, { status: 'offer' }).expect(200);
        const pending = (await followUps(a, '&status=planned')).filter((f) => f.kind === 'message' && f.preview?.outcome === 'send');
        if (pending.length === 0) break;
        // The earliest one, at the moment it goes: its preview, then the send.
        const next = pending.reduce((m, f) => (new Date(f.preview!.dueAt) < new Date(m.preview!.dueAt) ? f : m));
        clock.set(next.preview!.dueAt);
        const due = (await followUps(a, '&status=planned')).filter((f) => f.kind === 'message' && new Date(f.preview!.dueAt) <= clock.now());
        await dispatcher.drain();
        // Texts from one number are spaced (SMS pacing): let the paced ones reach their slot.
        const stillSending = async (): Promise<boolean> =>
          (await withAdminDb((c) => c.query(`SELECT 1 FROM follow_ups WHERE tenant_id = $1 AND status = 'sending'`, [a.tenantId]))).rowCount! > 0;
        for (let i = 0; i < 10 && (await stillSending()); i += 1) {
          clock.advance(1_500);
          await dispatcher.drain();
        }
        for (const f of due) {
          const sent = (await api(t, a).get(`/v1/follow-ups/${f.id}`).expect(200)).body;
          if (sent.status !== 'sent') continue;
          const providerId = await withAdminDb(async (c) => (await c.query(`SELECT provider_id FROM messages WHERE id = $1`, [sent.messageId])).rows[0]?.provider_id as string);
          const p = f.preview!;
          expect([f.rule, sent.channel]).toEqual([f.rule, channel]);
          if (channel === 'email') {
            const mail = smtp.messages.find((m) => m.messageId === providerId);
            expect([f.rule, mail?.envelope.to[0], mail?.subject, mail?.parsed.text?.trimEnd()]).toEqual([f.rule, p.address, p.subject, p.body!.trimEnd()]);
          } else {
            const sms = twilio.messages.find((m) => m.sid === providerId);
            expect([f.rule, sms?.To, sms?.Body]).toEqual([f.rule, p.address, p.body]);
          }
          compared.add(f.rule);
        }
      }
      expect([...compared].sort()).toEqual([
        'candidate_check_in',
        'interview_confirmation',
        'interview_thank_you',
        'no_reply_nudge',
        'offer_thank_you',
        'reference_heads_up',
        'referral_update',
        'resume_follow_up',
        'thank_you_reminder',
      ]);
    }, 180_000);
  });

  it('a template draft renders from a real candidate, with SMS segments; bad drafts name the field', async () => {
    const a = await firm();
    const x = api(t, a);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example' }).expect(201)).body.id;
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@mail.example', ownerUserId: a.userId }).expect(201)).body.id;
    await x.post('/v1/leads', { candidateId: jane, company: 'Globex', position: 'Data Engineer', employerContactId: hank }).expect(201);

    const draft = { rule: 'resume_follow_up', channel: 'sms', audience: 'contact', template: { body: '{{firmName}}: any news on {{candidateName}} for {{position}}?' }, candidateId: jane };
    const res = await x.post('/v1/settings/follow-up-policy/preview', draft).expect(200);
    expect(res.body).toEqual({ subject: null, body: 'Acme Staffing: any news on Jane Doe for Data Engineer? Reply STOP to opt out.', segments: 1, encoding: 'GSM-7', sampled: [] });
    const sample = await x.post('/v1/settings/follow-up-policy/preview', { ...draft, channel: 'email', template: { subject: 'About {{candidateName}}', body: 'Hi {{recipientFirstName}}' }, candidateId: undefined }).expect(200);
    expect(sample.body).toMatchObject({ subject: 'About Jane Doe', body: 'Hi Jane', segments: null });
    const gqlRes = await gql<{ previewTemplate: { body: string } }>(
      a,
      `query($c: ID!) { previewTemplate(input: { rule: candidate_check_in, channel: email, audience: candidate, template: { subject: "Hi", body: "How are you, {{candidateFirstName}}?" }, candidateId: $c }) { body } }`,
      { c: jane },
    );
    expect(gqlRes.previewTemplate.body).toBe('How are you, Jane?');

    for (const [body, field] of [
      [{ ...draft, rule: 'birthday_card' }, 'rule'],
      [{ ...draft, audience: 'candidate' }, 'audience'],
      [{ ...draft, template: { body: 'Hi {{candidatNmae}}' } }, 'template.body'],
      [{ ...draft, template: { body: 'At {{interviewTime}}' } }, 'template.body'],
      [{ ...draft, template: null }, 'template'],
      [{ ...draft, candidateId: 'nope' }, 'candidateId'],
      [{ ...draft, candidateId: '00000000-0000-4000-8000-000000000000' }, 'candidateId'],
    ] as const) {
      const bad = await x.post('/v1/settings/follow-up-policy/preview', body).expect(400);
      expect(bad.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    // Another firm's candidate is unknown here.
    const b = await signup(t);
    const other = await api(t, b).post('/v1/settings/follow-up-policy/preview', draft).expect(400);
    expect(other.body.errors).toEqual([{ field: 'candidateId', message: 'is not a candidate of this firm' }]);
  });
});
