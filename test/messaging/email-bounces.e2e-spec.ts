import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { SmtpTestServer } from '../support/smtp-test.server';
import { useIsolatedDatabase, withAdminDb } from '../support/test-app';
import type { SignedUp } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf, messagesOf, signup } from '../follow-ups/support';

// The cross-tenant dispatcher runs here: a database of its own.
useIsolatedDatabase();

const SECRET = 'inbound-secret-0123456789abcdef';

const rows = (sql: string, params: unknown[]): Promise<Record<string, unknown>[]> => withAdminDb(async (c) => (await c.query(sql, params)).rows);

/**
 * Bounces and complaints (issue 16) through Touchpoint's own JSON shape and a plain-SMTP DSN:
 * a hard bounce marks the address undeliverable (the next follow-up goes by SMS with the reason,
 * the recruiter gets a task, integrators get email.bounced), 3 soft bounces in 72 h escalate, a
 * complaint opts out of email, and correcting the address clears the mark.
 */
/**
 * An engine at Tuesday 1 December 2026, 09:00 in New York, sending to an SMTP test server, for the
 * describe block that calls it; `firm()` signs up a New York firm with its inbound-email secret.
 */
function emailEngine(secretOf: (tenantId: string) => string = () => SECRET): { smtp: SmtpTestServer; h: () => EngineHarness; firm: () => Promise<SignedUp> } {
  const smtp = new SmtpTestServer();
  let harness: EngineHarness | undefined;
  const h = (): EngineHarness => harness!;
  beforeAll(async () => {
    const { url } = await smtp.start();
    harness = await bootEngine('2026-12-01T14:00:00Z', { SMTP_URL: url });
  });
  afterAll(async () => {
    await harness?.t.close();
    await smtp.stop();
  });
  const firm = async (): Promise<SignedUp> => {
    const a = await signup(h().t, { timeZone: 'America/New_York' });
    await api(h().t, a).put('/v1/settings/senders', { inboundEmailSecret: secretOf(a.tenantId), emailFromAddress: 'recruiting@acme-staffing.example' }).expect(200);
    return a;
  };
  return { smtp, h, firm };
}

describe('email bounces and complaints', () => {
  const { smtp, h: engine, firm } = emailEngine();
  let h: EngineHarness;
  beforeAll(() => {
    h = engine();
  });

  const events = (a: SignedUp, body: object, secret: string | null = SECRET): request.Test => {
    const req = request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/events`);
    if (secret !== null) req.set('X-Touchpoint-Webhook-Secret', secret);
    return req.send(body);
  };

  it('a hard bounce: undeliverable, the next follow-up goes by SMS with the reason, a task, email.bounced; correcting the address clears it', async () => {
    h.clock.set('2026-12-01T14:00:00Z');
    const a = await firm();
    const x = api(h.t, a);
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com', phone: '+14155550123' }).expect(201)).body;

    // A week later her check-in goes by email.
    h.clock.set('2026-12-08T14:00:30Z');
    await h.dispatcher.drain();
    const sent = smtp.messages.filter((m) => m.to[0]?.address === 'jane@example.com');
    expect(sent).toHaveLength(1);
    const checkIn = sent[0]!;

    // Her server bounces it.
    h.clock.set('2026-12-08T14:05:00Z');
    const bounce = { events: [{ id: 'evt-1', type: 'bounce', bounceType: 'hard', email: 'jane@example.com', messageId: checkIn.messageId, diagnostic: '550 5.1.1 User unknown', timestamp: '2026-12-08T14:04:00Z' }] };
    expect((await events(a, bounce).expect(200)).body).toEqual({ recorded: 1, duplicates: 0 });
    // A replay changes nothing.
    expect((await events(a, bounce).expect(200)).body).toEqual({ recorded: 0, duplicates: 1 });

    expect(await rows(`SELECT address, reason FROM email_undeliverable WHERE tenant_id = $1 AND candidate_id = $2`, [a.tenantId, jane.id])).toEqual([
      { address: 'jane@example.com', reason: 'hard bounce: 550 5.1.1 User unknown' },
    ]);
    const message = (await messagesOf(a.tenantId)).find((m) => m.provider_id === checkIn.messageId)!;
    expect(message).toMatchObject({ status: 'undelivered', error_code: 'hard_bounce' });
    const tasks = await followUpsOf(a.tenantId, `kind = 'task' AND recipient_candidate_id = $2`, [jane.id]);
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ status: 'planned', reason: 'Fix the email address of Jane Doe: jane@example.com bounced on 2026-12-08 (550 5.1.1 User unknown)' });
    const agenda = (await x.get('/v1/agenda').expect(200)).body;
    expect(JSON.stringify(agenda.tasks)).toContain('Fix the email address of Jane Doe');
    const outbox = await rows(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'email.bounced'`, [a.tenantId]);
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.payload).toMatchObject({ address: 'jane@example.com', bounceType: 'hard', undeliverable: true, person: { type: 'candidate', id: jane.id } });

    // The nudge a week later: the preview shows why, and it goes by SMS.
    const [nudge] = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_candidate_id = $2`, [jane.id]);
    const preview = (await x.get(`/v1/follow-ups/${nudge!.id}`).expect(200)).body.preview;
    expect(preview).toMatchObject({ channel: 'sms', channelReason: 'email: email bounced on 2026-12-08; so SMS' });
    h.clock.set('2026-12-15T14:01:00Z');
    await h.dispatcher.drain();
    expect((await followUpsOf(a.tenantId, `id = $2`, [nudge!.id]))[0]).toMatchObject({ status: 'sent', channel: 'sms' });
    expect(smtp.messages.filter((m) => m.to[0]?.address === 'jane@example.com')).toHaveLength(1);

    // The recruiter fixes the address: the mark and the task are cleared.
    await x.patch(`/v1/candidates/${jane.id}`, { email: 'jane.doe@example.com' }).expect(200);
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    expect((await followUpsOf(a.tenantId, `kind = 'task' AND recipient_candidate_id = $2`, [jane.id]))[0]).toMatchObject({ status: 'sent', reason: 'the email address was corrected' });
  });

  it('three soft bounces within 72 hours escalate to undeliverable; two do not', async () => {
    h.clock.set('2026-12-20T14:00:00Z');
    const a = await firm();
    const x = api(h.t, a);
    const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example' }).expect(201)).body;
    const soft = (id: string, at: string) => ({ id, type: 'bounce', bounceType: 'soft', email: 'hank@acme.example', diagnostic: '452 4.2.2 Mailbox full', timestamp: at });
    await events(a, { events: [soft('s1', '2026-12-17T10:00:00Z'), soft('s2', '2026-12-19T09:00:00Z')] }).expect(200);
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    // The third, more than 72 hours after the first: still only two in the window.
    await events(a, { events: [soft('s3', '2026-12-20T11:00:00Z')] }).expect(200);
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    await events(a, { events: [soft('s4', '2026-12-20T12:00:00Z')] }).expect(200);
    expect(await rows(`SELECT contact_id, reason FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toEqual([
      { contact_id: hank.id, reason: '3 soft bounces within 72 hours: 452 4.2.2 Mailbox full' },
    ]);
    const outbox = await rows(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'email.bounced' ORDER BY occurred_at, created_at`, [a.tenantId]);
    expect(outbox.map((o) => (o.payload as { undeliverable: boolean }).undeliverable)).toEqual([false, false, false, true]);
  });

  it('a complaint opts the person out of email', async () => {
    const a = await firm();
    const x = api(h.t, a);
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane.c@example.com' }).expect(201)).body;
    await events(a, { events: [{ id: 'c1', type: 'complaint', email: 'Jane Doe <jane.c@example.com>', timestamp: '2026-12-20T12:00:00Z' }] }).expect(200);
    expect((await x.get(`/v1/candidates/${jane.id}/consent`).expect(200)).body).toMatchObject({ email: { status: 'opted_out', source: 'complaint' } });
  });

  it('a DSN reaching the inbound address is a bounce, not a reply', async () => {
    const a = await firm();
    const x = api(h.t, a);
    const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane.d@example.com' }).expect(201)).body;
    const raw = readFileSync(join(__dirname, '../fixtures/email/dsn-hard-bounce.eml'), 'utf8')
      .split('{{RECIPIENT}}')
      .join('jane.d@example.com')
      .split('{{MESSAGE_ID}}')
      .join('<not-ours@acme-staffing.example>');
    const post = () => request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/inbound`).set('X-Touchpoint-Webhook-Secret', SECRET).send({ raw });
    const res = await post().expect(200);
    expect(res.body).toMatchObject({ messageId: null, matched: true, bounce: { recipients: 1, recorded: 1 } });
    expect(await messagesOf(a.tenantId)).toHaveLength(0);
    expect(await rows(`SELECT address, reason FROM email_undeliverable WHERE tenant_id = $1 AND candidate_id = $2`, [a.tenantId, jane.id])).toEqual([
      { address: 'jane.d@example.com', reason: 'hard bounce: 550 5.1.1 <jane.d@example.com>: Recipient address rejected: User unknown in virtual mailbox table' },
    ]);
    expect((await post().expect(200)).body).toMatchObject({ duplicate: true, bounce: { recorded: 0 } });
    // An ordinary reply in MIME is still a reply.
    const reply = await request(h.t.http)
      .post(`/v1/webhooks/email/${a.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', SECRET)
      .send({ raw: 'From: Jane Doe <jane.d@example.com>\r\nTo: recruiting@acme-staffing.example\r\nSubject: Re: Checking in\r\nMessage-ID: <r1@example.com>\r\n\r\nAll good, thanks!\r\n' })
      .expect(200);
    expect(reply.body).toMatchObject({ matched: true, duplicate: false });
    expect((await messagesOf(a.tenantId))[0]).toMatchObject({ direction: 'in', candidate_id: jane.id, body: 'All good, thanks!', subject: 'Re: Checking in' });

    // Erasing Jane removes her address from the bounce records too.
    await x.post(`/v1/candidates/${jane.id}/erase`).expect(200);
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    expect(await rows(`SELECT address, diagnostic FROM email_delivery_events WHERE tenant_id = $1`, [a.tenantId])).toEqual([{ address: '[erased]', diagnostic: null }]);
  });

  it('refuses a missing or wrong secret and bad input with nothing written', async () => {
    const a = await firm();
    const ok = { events: [{ id: 'e1', type: 'complaint', email: 'x@example.com', timestamp: '2026-12-20T12:00:00Z' }] };
    await events(a, ok, null).expect(401);
    await events(a, ok, 'wrong-secret-wrong-secret').expect(403);
    const bad = await events(a, { events: [{ id: 'e2', type: 'bounce', email: 'x@example.com', timestamp: 'yesterday' }] }).expect(400);
    expect(JSON.stringify(bad.body)).toContain('bounceType');
    expect(JSON.stringify(bad.body)).toContain('timestamp');
    await events(a, { events: [] }).expect(400);
    await request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/inbound`).set('X-Touchpoint-Webhook-Secret', SECRET).send({ text: 'no from, no raw' }).expect(400);
    // A raw message is read on its own: without its own From and Message-ID it is refused, whatever fields come with it.
    const noHeaders = await request(h.t.http)
      .post(`/v1/webhooks/email/${a.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', SECRET)
      .send({ raw: 'x'.repeat(1000), from: 'x@example.com', messageId: '<m@example.com>' })
      .expect(400);
    expect(JSON.stringify(noHeaders.body)).toContain('Message-ID');
    expect(await messagesOf(a.tenantId)).toHaveLength(0);
    expect(await rows(`SELECT 1 FROM email_delivery_events WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
  });
});

describe('email bounces: a soft bounce is sent again; firms stay apart', () => {
  const { smtp, h: engine, firm } = emailEngine((tenantId) => `${SECRET}-${tenantId.slice(0, 8)}`);
  let h: EngineHarness;
  beforeAll(() => {
    h = engine();
  });
  const events = (a: SignedUp, body: object, secret = `${SECRET}-${a.tenantId.slice(0, 8)}`) =>
    request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/events`).set('X-Touchpoint-Webhook-Secret', secret).send(body);

  it('re-sends the follow-up a soft bounce hit, an hour later, in the same thread', async () => {
    const a = await firm();
    const jane = (await api(h.t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.soft@example.com' }).expect(201)).body;
    h.clock.set('2026-12-08T14:00:30Z');
    await h.dispatcher.drain();
    const first = smtp.messages.find((m) => m.to[0]?.address === 'jane.soft@example.com')!;
    const [checkIn] = await followUpsOf(a.tenantId, `rule = 'candidate_check_in' AND recipient_candidate_id = $2 AND status = 'sent'`, [jane.id]);

    h.clock.set('2026-12-08T14:10:00Z');
    await events(a, { events: [{ id: 'soft-1', type: 'bounce', bounceType: 'soft', email: 'jane.soft@example.com', messageId: first.messageId, diagnostic: '452 4.2.2 Mailbox full', timestamp: '2026-12-08T14:09:00Z' }] }).expect(200);
    expect((await followUpsOf(a.tenantId, `id = $2`, [checkIn!.id]))[0]).toMatchObject({ status: 'planned', reason: 'soft bounce (452 4.2.2 Mailbox full): sending again' });
    expect(((await followUpsOf(a.tenantId, `id = $2`, [checkIn!.id]))[0]!.due_at as Date).toISOString()).toBe('2026-12-08T15:10:00.000Z');

    h.clock.set('2026-12-08T15:10:30Z');
    await h.dispatcher.drain();
    const again = smtp.messages.filter((m) => m.to[0]?.address === 'jane.soft@example.com');
    expect(again).toHaveLength(2);
    expect(again[1]!.subject).toBe(`Re: ${first.subject}`);
    expect(again[1]!.inReplyTo).toBe(first.messageId);
    expect((await followUpsOf(a.tenantId, `id = $2`, [checkIn!.id]))[0]).toMatchObject({ status: 'sent' });
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
  });

  it("one firm's secret does not open another's webhook, and a bounce never reaches another firm's people", async () => {
    const a = await firm();
    const b = await firm();
    const bJane = (await api(h.t, b).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.shared@example.com' }).expect(201)).body;
    const hard = { events: [{ id: 'x-1', type: 'bounce', bounceType: 'hard', email: 'jane.shared@example.com', timestamp: '2026-12-08T14:09:00Z' }] };
    // B's secret on A's key: refused.
    await events(a, hard, `${SECRET}-${b.tenantId.slice(0, 8)}`).expect(403);
    // A's own bounce for an address only B knows: recorded for A, unmatched; B's Jane untouched.
    expect((await events(a, hard).expect(200)).body).toEqual({ recorded: 1, duplicates: 0 });
    expect(await rows(`SELECT tenant_id, candidate_id FROM email_delivery_events WHERE address = 'jane.shared@example.com'`, [])).toEqual([{ tenant_id: a.tenantId, candidate_id: null }]);
    expect(await rows(`SELECT 1 FROM email_undeliverable WHERE tenant_id = $1`, [b.tenantId])).toHaveLength(0);
    expect((await api(h.t, b).get(`/v1/candidates/${bJane.id}/consent`).expect(200)).body).toMatchObject({ email: { status: 'opted_in' } });
  });
});
