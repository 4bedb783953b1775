import { generateKeyPairSync, sign, createSign, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import request from 'supertest';
import { SmtpTestServer } from '../support/smtp-test.server';
import { useIsolatedDatabase, withAdminDb } from '../support/test-app';
import type { SignedUp } from '../support/test-app';
import { api, bootEngine, EngineHarness, followUpsOf, messagesOf, signup } from '../follow-ups/support';

// The cross-tenant dispatcher runs here: a database of its own.
useIsolatedDatabase();

const SECRET = 'inbound-secret-0123456789abcdef';
const SNS_KEY = readFileSync(join(__dirname, '../fixtures/sns/signing-key.pem'), 'utf8');
const SNS_CERT = readFileSync(join(__dirname, '../fixtures/sns/signing-cert.pem'), 'utf8');

const rows = (sql: string, params: unknown[]): Promise<Record<string, unknown>[]> => withAdminDb(async (c) => (await c.query(sql, params)).rows);

/** A stand-in for AWS: serves the SNS signing certificate and records subscription confirmations. */
class FakeAws {
  server!: Server;
  base = '';
  confirmations: string[] = [];
  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      if (req.url === '/SimpleNotificationService-test.pem') {
        res.writeHead(200, { 'content-type': 'application/x-x509-ca-cert' }).end(SNS_CERT);
      } else if (req.url?.startsWith('/?Action=ConfirmSubscription')) {
        this.confirmations.push(req.url);
        res.writeHead(200, { 'content-type': 'text/xml' }).end('<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn:aws:sns:us-east-1:123456789012:ses-feedback:1</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>');
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  stop(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

/** An SNS message, signed as SNS signs (SignatureVersion 1: SHA1withRSA over the canonical fields). */
function snsMessage(aws: FakeAws, fields: Record<string, string>, version: '1' | '2' = '1'): Record<string, string> {
  const m: Record<string, string> = { ...fields, SignatureVersion: version, SigningCertURL: `${aws.base}/SimpleNotificationService-test.pem` };
  const order = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const canonical = order.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
  m.Signature = createSign(version === '2' ? 'RSA-SHA256' : 'RSA-SHA1').update(canonical, 'utf8').sign(SNS_KEY, 'base64');
  return m;
}

/** An SES complaint notification as SES documents it. */
function sesComplaint(address: string, messageId: string): string {
  return JSON.stringify({
    notificationType: 'Complaint',
    complaint: {
      feedbackId: '0100017c5f3e8f2b-1f4c7a5e-3d2a-4b6e-8f7e-1c2d3e4f5a6b-000000',
      complaintSubType: null,
      complainedRecipients: [{ emailAddress: address }],
      timestamp: '2026-12-09T17:00:00.000Z',
      userAgent: 'Yahoo!-Mail-Feedback/2.0',
      complaintFeedbackType: 'abuse',
      arrivalDate: '2026-12-09T16:59:00.000Z',
    },
    mail: {
      timestamp: '2026-12-09T16:00:00.000Z',
      source: 'recruiting@acme-staffing.example',
      sourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/acme-staffing.example',
      sourceIp: '203.0.113.10',
      callerIdentity: 'touchpoint',
      sendingAccountId: '123456789012',
      messageId: '0100017c5f3e8f2b-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee-000000',
      destination: [address],
      headersTruncated: false,
      headers: [
        { name: 'From', value: 'Acme Staffing <recruiting@acme-staffing.example>' },
        { name: 'To', value: address },
        { name: 'Message-ID', value: messageId },
      ],
      commonHeaders: { from: ['Acme Staffing <recruiting@acme-staffing.example>'], to: [address], messageId, subject: 'Checking in' },
    },
  });
}

describe('mail providers: SendGrid, Amazon SES (SNS), Postmark', () => {
  const smtp = new SmtpTestServer();
  const aws = new FakeAws();
  let h: EngineHarness;
  let sendgridKey: KeyObject;

  beforeAll(async () => {
    const { url } = await smtp.start();
    await aws.start();
    h = await bootEngine('2026-12-01T14:00:00Z', {
      SMTP_URL: url,
      SNS_URL_PATTERN: '^http://127\\.0\\.0\\.1:\\d+/',
      BODY_LIMIT_BYTES: String(64 * 1024),
      EMAIL_WEBHOOK_BODY_LIMIT_BYTES: String(128 * 1024),
    });
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    sendgridKey = pair.privateKey;
    (globalThis as { __sgPublic?: string }).__sgPublic = pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  });
  afterAll(async () => {
    await h.t.close();
    await smtp.stop();
    await aws.stop();
  });

  async function firm(): Promise<SignedUp> {
    const a = await signup(h.t, { timeZone: 'America/New_York' });
    await api(h.t, a)
      .put('/v1/settings/senders', { inboundEmailSecret: SECRET, emailFromAddress: 'recruiting@acme-staffing.example', sendgridWebhookPublicKey: (globalThis as { __sgPublic?: string }).__sgPublic })
      .expect(200);
    return a;
  }

  /** POSTs a SendGrid Event Webhook body, signed (or not) the way SendGrid signs it. */
  function sendgrid(a: SignedUp, events: unknown, opts: { sign?: 'good' | 'bad' | 'none'; timestamp?: string } = {}): request.Test {
    const body = JSON.stringify(events);
    const timestamp = opts.timestamp ?? '1765296300';
    const req = request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/sendgrid/events`).set('Content-Type', 'application/json');
    if ((opts.sign ?? 'good') !== 'none') {
      const signed = opts.sign === 'bad' ? `${timestamp}${body} ` : `${timestamp}${body}`;
      req.set('X-Twilio-Email-Event-Webhook-Signature', sign('sha256', Buffer.from(signed), sendgridKey).toString('base64'));
      req.set('X-Twilio-Email-Event-Webhook-Timestamp', timestamp);
    }
    return req.send(body);
  }

  const sgBounce = (email: string, smtpId: string, over: Record<string, unknown> = {}) => ({
    email,
    timestamp: Date.parse('2026-12-08T14:04:00Z') / 1000,
    'smtp-id': smtpId,
    event: 'bounce',
    category: ['follow-up'],
    sg_event_id: 'ZGVsaXZlcmVkLTAtMjQ5NDc4NzctcVlfNmVDMjNRN3F4RVhfRDRRUTFmdy0w',
    sg_message_id: '14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0',
    reason: '550 5.1.1 The email account that you tried to reach does not exist.',
    status: '5.1.1',
    type: 'bounce',
    bounce_classification: 'Invalid Address',
    ...over,
  });

  describe('SendGrid Event Webhook', () => {
    it('done when: a SendGrid hard bounce makes the next follow-up to that person go by SMS, with the reason shown', async () => {
      h.clock.set('2026-12-01T14:00:00Z');
      const a = await firm();
      const x = api(h.t, a);
      const jane = (await x.post('/v1/candidates', { name: 'Jane Doe', email: 'jane@example.com', phone: '+14155550123' }).expect(201)).body;
      h.clock.set('2026-12-08T14:00:30Z');
      await h.dispatcher.drain();
      const checkIn = smtp.messages.find((m) => m.to[0]?.address === 'jane@example.com')!;

      h.clock.set('2026-12-08T14:05:00Z');
      const res = await sendgrid(a, [sgBounce('jane@example.com', checkIn.messageId!)]).expect(200);
      expect(res.body).toEqual({ recorded: 1, duplicates: 0, inbound: 0 });
      // SendGrid retries a post it thinks failed: the same event again changes nothing.
      expect((await sendgrid(a, [sgBounce('jane@example.com', checkIn.messageId!)]).expect(200)).body).toEqual({ recorded: 0, duplicates: 1, inbound: 0 });

      const [nudge] = await followUpsOf(a.tenantId, `rule = 'no_reply_nudge' AND recipient_candidate_id = $2`, [jane.id]);
      expect((await x.get(`/v1/follow-ups/${nudge!.id}`).expect(200)).body.preview).toMatchObject({ channel: 'sms', channelReason: 'email: email bounced on 2026-12-08; so SMS' });
      h.clock.set('2026-12-15T14:01:00Z');
      await h.dispatcher.drain();
      expect((await followUpsOf(a.tenantId, `id = $2`, [nudge!.id]))[0]).toMatchObject({ status: 'sent', channel: 'sms' });
      expect((await messagesOf(a.tenantId)).find((m) => m.provider_id === checkIn.messageId)).toMatchObject({ status: 'undelivered' });
      const task = (await followUpsOf(a.tenantId, `kind = 'task'`))[0];
      expect(task?.reason).toBe('Fix the email address of Jane Doe: jane@example.com bounced on 2026-12-08 (5.1.1 550 5.1.1 The email account that you tried to reach does not exist.)');
    });

    it('maps delivered, blocked, dropped and spamreport; ignores open and deferred', async () => {
      const a = await firm();
      const x = api(h.t, a);
      const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example' }).expect(201)).body;
      const base = { email: 'hank@acme.example', timestamp: 1765296240, 'smtp-id': '<x@acme-staffing.example>' };
      const res = await sendgrid(a, [
        { ...base, event: 'open', sg_event_id: 'e-open', useragent: 'Mozilla/5.0', ip: '203.0.113.1' },
        { ...base, event: 'deferred', sg_event_id: 'e-def', response: '400 try again later', attempt: '1' },
        { ...base, event: 'bounce', type: 'blocked', sg_event_id: 'e-blk', reason: '421 rate limited', status: '4.7.0' },
        { ...base, event: 'spamreport', sg_event_id: 'e-spam' },
      ]).expect(200);
      expect(res.body).toEqual({ recorded: 2, duplicates: 0, inbound: 0 });
      expect((await x.get(`/v1/contacts/${hank.id}/consent`).expect(200)).body).toMatchObject({ email: { status: 'opted_out', source: 'complaint' } });
      expect(await rows(`SELECT kind FROM email_delivery_events WHERE tenant_id = $1 ORDER BY kind`, [a.tenantId])).toEqual([{ kind: 'complaint' }, { kind: 'soft_bounce' }]);
    });

    it('refuses a missing or bad signature, a firm without a key, bad input and a too-large body, with nothing written', async () => {
      const a = await firm();
      const ev = [sgBounce('nobody@example.com', '<n@acme-staffing.example>')];
      await sendgrid(a, ev, { sign: 'none' }).expect(401);
      await sendgrid(a, ev, { sign: 'bad' }).expect(403);
      // Signed for another timestamp than the one sent (a replayed signature on a new timestamp).
      const body = JSON.stringify(ev);
      await request(h.t.http)
        .post(`/v1/webhooks/email/${a.webhookKey}/sendgrid/events`)
        .set('Content-Type', 'application/json')
        .set('X-Twilio-Email-Event-Webhook-Signature', sign('sha256', Buffer.from(`1765296300${body}`), sendgridKey).toString('base64'))
        .set('X-Twilio-Email-Event-Webhook-Timestamp', '1765299999')
        .send(body)
        .expect(403);
      const noKey = await signup(h.t);
      await sendgrid(noKey, ev).expect(403);
      // An unknown key answers exactly like wrong credentials (a stranger learns nothing), after the missing-credentials check.
      await request(h.t.http).post('/v1/webhooks/email/unknown-key/sendgrid/events').set('Content-Type', 'application/json').send('[]').expect(401);
      const unknown = await sendgrid({ ...a, webhookKey: 'unknown-key' }, ev).expect(403);
      const wrong = await sendgrid(a, ev, { sign: 'bad' }).expect(403);
      expect(unknown.body.status).toBe(wrong.body.status);
      await request(h.t.http).post(`/v1/webhooks/email/unknown-key/ses/${SECRET}`).set('Content-Type', 'text/plain').send('{}').expect(403);
      await request(h.t.http).post('/v1/webhooks/email/unknown-key/postmark').set('Authorization', 'Basic dG91Y2hwb2ludDp4').send({}).expect(403);
      await request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/postmark`).set('Authorization', `Bearer ${a.token}`).send({}).expect(401);
      const bad = await sendgrid(a, [{ email: 'x@example.com', event: 'bounce', timestamp: 1765296240 }]).expect(400);
      expect(JSON.stringify(bad.body)).toContain('sg_event_id');
      await sendgrid(a, { not: 'an array' }).expect(400);
      await sendgrid(a, [{ ...sgBounce('x@example.com', '<y@z>'), sg_event_id: 'big', reason: 'x'.repeat(70 * 1024) }]).expect(413);
      expect(await rows(`SELECT 1 FROM email_delivery_events WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    });

    it('the settings show where to point each provider', async () => {
      const a = await firm();
      const res = await api(h.t, a).get('/v1/settings/senders').expect(200);
      const base = res.body.emailInboundUrl.replace(/\/inbound$/, '');
      expect(res.body).toMatchObject({
        sendgridWebhookPublicKey: (globalThis as { __sgPublic?: string }).__sgPublic,
        emailEventsUrl: `${base}/events`,
        sendgridEventsUrl: `${base}/sendgrid/events`,
        sendgridInboundUrl: `${base}/sendgrid/inbound/{inboundEmailSecret}`,
        sesUrl: `${base}/ses/{inboundEmailSecret}`,
      });
      expect(res.body.postmarkUrl).toMatch(/^https?:\/\/touchpoint:\{inboundEmailSecret\}@[^/]+\/v1\/webhooks\/email\/[^/]+\/postmark$/);
    });

    it('the verification key is checked when set', async () => {
      const a = await signup(h.t);
      const res = await api(h.t, a).put('/v1/settings/senders', { sendgridWebhookPublicKey: 'bm90IGEga2V5' }).expect(400);
      expect(JSON.stringify(res.body)).toContain('sendgridWebhookPublicKey');
    });
  });

  describe('SendGrid Inbound Parse', () => {
    async function multipart(fields: Record<string, string>): Promise<{ body: Buffer; type: string }> {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      const req = new Request('http://localhost/', { method: 'POST', body: form });
      return { body: Buffer.from(await req.arrayBuffer()), type: req.headers.get('content-type')! };
    }
    const parse = async (a: SignedUp, fields: Record<string, string>, status: number, secret = SECRET): Promise<request.Response> => {
      const { body, type } = await multipart(fields);
      return request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/sendgrid/inbound/${secret}`).set('Content-Type', type).send(body).expect(status);
    };

    it('records a reply from the parsed fields, matched by In-Reply-To; a replay is idempotent', async () => {
      const a = await firm();
      const jane = (await api(h.t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.p@example.com' }).expect(201)).body;
      const fields = {
        headers: 'Received: by mx0047p1mdw1.sendgrid.net with SMTP id 6WCVv7KAWn Wed, 09 Dec 2026 17:02:02 +0000 (UTC)\nFrom: Jane Doe <jane.p@example.com>\nTo: replies@inbound.acme-staffing.example\nSubject: Re: Checking in\nMessage-ID: <CAJane-1@mail.example.com>\nIn-Reply-To: <0b9c7a52-0000-0000-0000-000000000000@acme-staffing.example>\nDate: Wed, 9 Dec 2026 12:02:00 -0500\nMIME-Version: 1.0\nContent-Type: multipart/alternative; boundary="000000000000abc"\n',
        dkim: '{@example.com : pass}',
        'content-ids': '{}',
        to: 'replies@inbound.acme-staffing.example',
        from: 'Jane Doe <jane.p@example.com>',
        text: 'Still interested, thanks!\n',
        html: '<div>Still interested, thanks!</div>',
        sender_ip: '209.85.220.41',
        envelope: '{"to":["replies@inbound.acme-staffing.example"],"from":"jane.p@example.com"}',
        attachments: '0',
        subject: 'Re: Checking in',
        charsets: '{"to":"UTF-8","html":"UTF-8","subject":"UTF-8","from":"UTF-8","text":"UTF-8"}',
        SPF: 'pass',
      };
      expect((await parse(a, fields, 200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 1 });
      expect((await parse(a, fields, 200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 0 });
      const [m] = await messagesOf(a.tenantId);
      expect(m).toMatchObject({ direction: 'in', candidate_id: jane.id, provider_id: '<CAJane-1@mail.example.com>', subject: 'Re: Checking in', body: 'Still interested, thanks!' });
    });

    it('a raw MIME DSN posted by Inbound Parse is a bounce; wrong secret, bad body and too large are refused', async () => {
      const a = await firm();
      await api(h.t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.q@example.com' }).expect(201);
      const dsn = readFileSync(join(__dirname, '../fixtures/email/dsn-hard-bounce.eml'), 'utf8').split('{{RECIPIENT}}').join('jane.q@example.com').split('{{MESSAGE_ID}}').join('<q@acme-staffing.example>');
      expect((await parse(a, { email: dsn, to: 'recruiting@acme-staffing.example', from: 'MAILER-DAEMON@mx.example.net' }, 200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 1 });
      expect(await rows(`SELECT address FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toEqual([{ address: 'jane.q@example.com' }]);
      await parse(a, { email: dsn }, 403, 'wrong-secret-wrong-secret-0000');
      await parse(a, { to: 'x' }, 400);
      await request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/sendgrid/inbound/${SECRET}`).set('Content-Type', 'application/json').send('{}').expect(415);
      await parse(a, { email: dsn, attachment1: 'x'.repeat(200 * 1024) }, 413);
      expect(await messagesOf(a.tenantId)).toHaveLength(0);
    });
  });

  describe('Amazon SES through SNS', () => {
    const post = (a: SignedUp, body: object, secret = SECRET) =>
      request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/ses/${secret}`).set('Content-Type', 'text/plain; charset=UTF-8').set('x-amz-sns-message-type', String((body as { Type?: string }).Type)).send(JSON.stringify(body));

    it('confirms the subscription', async () => {
      const a = await firm();
      const confirm = snsMessage(aws, {
        Type: 'SubscriptionConfirmation',
        MessageId: '165545c9-2a5c-472c-8df2-7ff2be2b3b1b',
        Token: '2336412f37fb687f5d51e6e241d09c805a5a57b30d712f794cc5f6a988666d92768dd60a747ba6f3beb71854e285d6ad02428b09ceece29417f1f02d609c582afbacc99c583a916b9981dd2728f4ae6fdb82efd087cc3b7849e05798d2d2785c03b0879594eeac82c01f235d0e717736',
        TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback',
        Message: 'You have chosen to subscribe to the topic arn:aws:sns:us-east-1:123456789012:ses-feedback.\nTo confirm the subscription, visit the SubscribeURL included in this message.',
        SubscribeURL: `${aws.base}/?Action=ConfirmSubscription&TopicArn=arn:aws:sns:us-east-1:123456789012:ses-feedback&Token=2336412f37`,
        Timestamp: '2026-12-09T16:00:00.000Z',
      });
      expect((await post(a, confirm).expect(200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 0, confirmed: true });
      expect(aws.confirmations).toHaveLength(1);
    });

    it('done when: an SES complaint opts the person out of email (SignatureVersion 1 and 2); replays are idempotent', async () => {
      const a = await firm();
      const x = api(h.t, a);
      const hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@acme.example' }).expect(201)).body;
      const note = (id: string, version: '1' | '2') =>
        snsMessage(
          aws,
          { Type: 'Notification', MessageId: id, TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback', Message: sesComplaint('hank@acme.example', '<c1@acme-staffing.example>'), Timestamp: '2026-12-09T17:00:01.000Z' },
          version,
        );
      expect((await post(a, note('7b0f33b4-6f8e-5a21-9f1b-1e5c6d3a2b10', '1')).expect(200)).body).toEqual({ recorded: 1, duplicates: 0, inbound: 0 });
      expect((await x.get(`/v1/contacts/${hank.id}/consent`).expect(200)).body).toMatchObject({ email: { status: 'opted_out', source: 'complaint' } });
      expect((await post(a, note('7b0f33b4-6f8e-5a21-9f1b-1e5c6d3a2b10', '1')).expect(200)).body).toEqual({ recorded: 0, duplicates: 1, inbound: 0 });
      expect((await post(a, note('8c1f44c5-0000-4b32-8a2c-2f6d7e4b3c21', '2')).expect(200)).body).toEqual({ recorded: 1, duplicates: 0, inbound: 0 });
      // The next email to Hank is refused with the reason.
      const send = await x.post('/v1/messages', { contactId: hank.id, channel: 'email', subject: 'Hi', text: 'Hello' });
      expect(send.status).toBe(422);
      expect(JSON.stringify(send.body)).toContain('opted out of email');
    });

    it('an SES hard bounce marks the address undeliverable', async () => {
      const a = await firm();
      await api(h.t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.s@example.com' }).expect(201);
      const message = JSON.stringify({
        notificationType: 'Bounce',
        bounce: {
          feedbackId: '0100017c5f3e8f2b-bounce',
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [{ emailAddress: 'jane.s@example.com', action: 'failed', status: '5.1.1', diagnosticCode: 'smtp; 550 5.1.1 user unknown' }],
          timestamp: '2026-12-09T17:10:00.000Z',
          remoteMtaIp: '203.0.113.5',
          reportingMTA: 'dsn; a8-70.smtp-out.amazonses.com',
        },
        mail: { timestamp: '2026-12-09T17:09:58.000Z', source: 'recruiting@acme-staffing.example', messageId: '0100017c-b', destination: ['jane.s@example.com'], headersTruncated: false, headers: [], commonHeaders: { messageId: '<b1@acme-staffing.example>' } },
      });
      await post(a, snsMessage(aws, { Type: 'Notification', MessageId: 'a1b2c3d4-0000-4000-8000-000000000001', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback', Message: message, Timestamp: '2026-12-09T17:10:01.000Z' })).expect(200);
      expect(await rows(`SELECT address, reason FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toEqual([{ address: 'jane.s@example.com', reason: 'hard bounce: 5.1.1 550 5.1.1 user unknown' }]);
    });

    it('refuses a bad signature, a certificate from elsewhere, a wrong secret and bad input, with nothing written', async () => {
      const a = await firm();
      const good = snsMessage(aws, { Type: 'Notification', MessageId: 'm-1', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback', Message: sesComplaint('z@example.com', '<z@x>'), Timestamp: '2026-12-09T17:00:01.000Z' });
      await post(a, { ...good, Message: sesComplaint('other@example.com', '<z@x>') }).expect(403);
      await post(a, { ...good, SigningCertURL: 'https://evil.example.com/cert.pem' }).expect(403);
      await post(a, good, 'wrong-secret-wrong-secret-0000').expect(403);
      await post(a, { Type: 'Notification' }).expect(400);
      const notSes = snsMessage(aws, { Type: 'Notification', MessageId: 'm-2', TopicArn: 'arn:aws:sns:us-east-1:123456789012:ses-feedback', Message: 'not json', Timestamp: '2026-12-09T17:00:01.000Z' });
      await post(a, notSes).expect(400);
      expect(await rows(`SELECT 1 FROM email_delivery_events WHERE tenant_id = $1`, [a.tenantId])).toHaveLength(0);
    });
  });

  describe('Postmark', () => {
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const post = (a: SignedUp, body: object, auth: string | null = basic('touchpoint', SECRET)) => {
      const req = request(h.t.http).post(`/v1/webhooks/email/${a.webhookKey}/postmark`);
      if (auth) req.set('Authorization', auth);
      return req.send(body);
    };

    it('a bounce marks the address undeliverable; the inbound JSON is a reply; basic auth is required', async () => {
      const a = await firm();
      const jane = (await api(h.t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.m@example.com' }).expect(201)).body;
      const bounce = {
        RecordType: 'Bounce',
        MessageStream: 'outbound',
        ID: 4323372036854775807,
        Type: 'HardBounce',
        TypeCode: 1,
        Name: 'Hard bounce',
        Tag: 'follow-up',
        MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
        Metadata: {},
        ServerID: 23,
        Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
        Details: 'smtp;550 5.1.1 The email account that you tried to reach does not exist.',
        Email: 'jane.m@example.com',
        From: 'recruiting@acme-staffing.example',
        BouncedAt: '2026-12-09T16:33:54.9070259Z',
        DumpAvailable: true,
        Inactive: true,
        CanActivate: true,
        Subject: 'Checking in on your search',
        Content: 'Return-Path:<>\nReceived: ...',
      };
      await post(a, bounce, null).expect(401);
      await post(a, bounce, basic('touchpoint', 'wrong')).expect(403);
      expect((await post(a, bounce).expect(200)).body).toEqual({ recorded: 1, duplicates: 0, inbound: 0 });
      expect((await post(a, bounce).expect(200)).body).toEqual({ recorded: 0, duplicates: 1, inbound: 0 });
      expect(await rows(`SELECT candidate_id FROM email_undeliverable WHERE tenant_id = $1`, [a.tenantId])).toEqual([{ candidate_id: jane.id }]);

      const inbound = {
        FromName: 'Jane Doe',
        MessageStream: 'inbound',
        From: 'jane.m@example.com',
        FromFull: { Email: 'jane.m@example.com', Name: 'Jane Doe', MailboxHash: '' },
        To: 'replies@inbound.acme-staffing.example',
        ToFull: [{ Email: 'replies@inbound.acme-staffing.example', Name: '', MailboxHash: '' }],
        Cc: '',
        CcFull: [],
        Bcc: '',
        BccFull: [],
        OriginalRecipient: 'replies@inbound.acme-staffing.example',
        Subject: 'Re: Checking in on your search',
        MessageID: '73e6d360-66eb-11e1-8e72-a8904824019b',
        ReplyTo: '',
        MailboxHash: '',
        Date: 'Wed, 9 Dec 2026 12:45:00 -0500',
        TextBody: 'Yes, still looking!\n\nOn Tue, Dec 8 ... wrote:\n> Checking in',
        HtmlBody: '<p>Yes, still looking!</p>',
        StrippedTextReply: 'Yes, still looking!',
        Tag: '',
        Headers: [
          { Name: 'X-Spam-Status', Value: 'No' },
          { Name: 'Message-ID', Value: '<CAJm-1@mail.example.com>' },
          { Name: 'In-Reply-To', Value: '<nothing-of-ours@acme-staffing.example>' },
        ],
        Attachments: [],
      };
      expect((await post(a, inbound).expect(200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 1 });
      expect((await messagesOf(a.tenantId))[0]).toMatchObject({ direction: 'in', candidate_id: jane.id, provider_id: '<CAJm-1@mail.example.com>', body: 'Yes, still looking!' });
      // A NUL in a provider's text cannot be stored: it is dropped, the reply kept.
      const withNul = { ...inbound, MessageID: 'nul-1', Headers: [{ Name: 'Message-ID', Value: '<CAJm-2@mail.example.com>' }], StrippedTextReply: 'Yes\u0000 indeed' };
      expect((await post(a, withNul).expect(200)).body).toEqual({ recorded: 0, duplicates: 0, inbound: 1 });
      expect((await messagesOf(a.tenantId)).find((m) => m.provider_id === '<CAJm-2@mail.example.com>')).toMatchObject({ body: 'Yes indeed' });
      await post(a, { RecordType: 'Bounce', Type: 'HardBounce' }).expect(400);
      await post(a, [1, 2]).expect(400);
    });
  });
});
