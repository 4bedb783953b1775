import { Writable } from 'node:stream';
import request from 'supertest';
import { createRootLogger } from '../../src/common/logger';
import type { OutboundMessengerService } from '../../src/messaging/outbound-messenger.service';
import { createCandidate, messenger, send } from '../messaging/messaging-support';
import { bootTestApp, createApiKey, signup, TestApp } from '../support/test-app';

/**
 * Issue 18: at `info`, the request log held whole /v1/unsubscribe/<token> URLs and the log
 * drivers wrote full email addresses and phone numbers. Every line written, by whichever
 * writer, is captured here and searched for them.
 */
describe('security: secrets and personal data in logs', () => {
  const lines: string[] = [];
  let t: TestApp;

  beforeAll(async () => {
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
        done();
      },
    });
    t = await bootTestApp({ env: { LOG_LEVEL: 'info' }, logger: createRootLogger('info', sink) });
  });
  afterAll(async () => {
    await t.close();
  });

  it('request log, log drivers and errors: no unsubscribe token, API key, email address or phone number; masked forms instead', async () => {
    const a = await signup(t, { email: 'owner.secret@firm-example.com' });
    const email = 'zoe.private@mail-example.org';
    const phone = '+14155550177';
    const id = await createCandidate(t, a, { name: 'Zoe Private', email, phone });
    const person = { type: 'candidate' as const, id };

    // The log drivers (no SMTP, no Twilio configured): an automated email with its unsubscribe link, and a text.
    await send(t, a, person, { channel: 'email', subject: 'Hello', text: `Write to ${email} or call ${phone}`, automated: true });
    await send(t, a, person, { channel: 'sms', text: `Call ${phone}`, automated: true });

    // The unsubscribe link, visited and posted.
    const url = (messenger(t) as unknown as OutboundMessengerService).unsubscribeUrl(a.tenantId, person, 'email');
    const token = url.slice(url.lastIndexOf('/') + 1);
    await request(t.http).get(`/v1/unsubscribe/${token}`).expect(200);
    await request(t.http).post(`/v1/unsubscribe/${token}`).type('form').send('List-Unsubscribe=One-Click').expect(200);

    // Credentials where they do not belong, and an API key in use.
    const key = await createApiKey(t, a, ['candidates:read']);
    await request(t.http).get(`/v1/candidates?access_token=${key.secret}`).expect(401);
    await request(t.http).get(`/v1/candidates?email=${encodeURIComponent(email)}`).set('Authorization', `Bearer ${key.secret}`);
    await new Promise((r) => setTimeout(r, 50));

    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThan(10);
    for (const l of lines) expect(() => JSON.parse(l)).not.toThrow();
    // The writers did write about these (so the test sees them), masked.
    expect(all).toContain('/v1/unsubscribe/[redacted]');
    expect(all).toContain('email not sent (log driver)');
    expect(all).toContain('SMS not sent (log driver)');
    expect(all).toContain('z***@m***.org');
    expect(all).toContain('+1*******77');
    // And never in clear.
    for (const secret of [token, key.secret, email, phone, 'owner.secret@firm-example.com', '4155550177', encodeURIComponent(email)]) {
      expect(all).not.toContain(secret);
    }
  });
});
