import request from 'supertest';
import { TenantDb } from '../../src/database/tenant-db.service';
import { asTenantId } from '../../src/database/tenant-id';
import { ConsentService } from '../../src/messaging/consent/consent.service';
import type { OutboundMessengerService } from '../../src/messaging/outbound-messenger.service';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp } from '../support/test-app';
import { accountSid, api, authToken, consentOf, createCandidate, createContact, inboundSms, messenger, phone, postTwilio, PUBLIC_URL, serviceSid, useOwnTwilio } from '../messaging/messaging-support';

/**
 * Issue 18: only the person can undo their own opt-out (the unsubscribe link, STOP, the carrier's
 * 21610). A recruiter, an admin or an API key asking to opt them back in gets a 409 saying why,
 * over REST and GraphQL, for candidates and contacts; the person's own undo still works.
 */
describe('security: an opt-out the person made is theirs to undo', () => {
  let t: TestApp;
  let a: SignedUp;

  beforeAll(async () => {
    t = await bootTestApp({ env: { PUBLIC_URL } });
    a = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  const linkPath = (type: 'candidate' | 'contact', id: string, channel: 'email' | 'sms' = 'email'): string =>
    (messenger(t) as unknown as OutboundMessengerService).unsubscribeUrl(a.tenantId, { type, id }, channel).slice(PUBLIC_URL.length);

  it('after the unsubscribe link, a recruiter\'s REST opt-in is a 409 naming the link; nothing changes (candidates and contacts)', async () => {
    for (const type of ['candidate', 'contact'] as const) {
      const id = type === 'candidate' ? await createCandidate(t, a, { email: `c.${Date.now()}@example.com` }) : await createContact(t, a, { email: `k.${Date.now()}@example.com` });
      const path = linkPath(type, id);
      await request(t.http).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);

      const refused = await api(t, a).put(`/v1/${type}s/${id}/consent`, { channel: 'email', status: 'opted_in' }).expect(409);
      expect(refused.headers['content-type']).toMatch(/problem\+json/);
      expect(refused.body.detail).toMatch(/unsubscribed from email with the link.*only they can opt back in/);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
      expect(await consentOf(a.tenantId, { type, id }, 'email')).toEqual({ status: 'opted_out', source: 'link' });
      // Still allowed: the other channel, and an opt-out.
      await api(t, a).put(`/v1/${type}s/${id}/consent`, { channel: 'sms', status: 'opted_out' }).expect(200);
      await api(t, a).put(`/v1/${type}s/${id}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
    }
  });

  it("after a spam complaint (the mail provider's report), a recruiter's opt-in is a 409 naming the complaint", async () => {
    const id = await createCandidate(t, a, { email: `s.${Date.now()}@example.com` });
    await t.app.get(TenantDb).tx(asTenantId(a.tenantId), (tx) =>
      t.app.get(ConsentService).change(tx, { type: 'candidate', id }, { channel: 'email', status: 'opted_out', source: 'complaint', actor: { kind: 'system' } }),
    );
    const refused = await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_in' }).expect(409);
    expect(refused.body.detail).toMatch(/marked an email as spam.*only they can opt back in/);
    expect(refused.body.errors).toEqual([{ field: 'status', message: 'cannot opt in a person who opted out themselves (spam complaint)' }]);
    expect(await consentOf(a.tenantId, { type: 'candidate', id }, 'email')).toEqual({ status: 'opted_out', source: 'complaint' });
  });

  it('an API key and GraphQL get the same refusal', async () => {
    const key = await createApiKey(t, a, ['candidates:read', 'candidates:write', 'contacts:read', 'contacts:write']);
    const c = await createCandidate(t, a, { email: `g.${Date.now()}@example.com` });
    const k = await createContact(t, a, { email: `h.${Date.now()}@example.com` });
    await request(t.http).post(linkPath('candidate', c)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    await request(t.http).post(linkPath('contact', k)).type('form').send('List-Unsubscribe=One-Click').expect(200);
    await api(t, key.secret).put(`/v1/candidates/${c}/consent`, { channel: 'email', status: 'opted_in' }).expect(409);

    for (const [field, id] of [['setCandidateConsent', c], ['setContactConsent', k]] as const) {
      for (const token of [a.token, key.secret]) {
        const res = await gql(t, token, `mutation($id: ID!) { ${field}(id: $id, input: { channel: email, status: opted_in }) { email { status source } } }`, { id });
        expect(res.errors?.[0]?.extensions?.code).toBe('CONFLICT');
        expect(res.errors?.[0]?.message).toMatch(/only they can opt back in/);
      }
    }
    expect(await consentOf(a.tenantId, { type: 'candidate', id: c }, 'email')).toEqual({ status: 'opted_out', source: 'link' });
    expect(await consentOf(a.tenantId, { type: 'contact', id: k }, 'email')).toEqual({ status: 'opted_out', source: 'link' });
  });

  it('the person\'s own undo from the link\'s page opts them back in; after that the recruiter may change it again', async () => {
    const id = await createCandidate(t, a, { email: `u.${Date.now()}@example.com` });
    const path = linkPath('candidate', id);
    await request(t.http).post(path).type('form').send('List-Unsubscribe=One-Click').expect(200);
    // The page of an unsubscribed person offers the undo.
    const pageHtml = (await request(t.http).get(path).expect(200)).text;
    expect(pageHtml).toContain('/resubscribe"');
    const undone = await request(t.http).post(`${path}/resubscribe`).type('form').send('').expect(200);
    expect(undone.text).toContain('subscribed again');
    expect(await consentOf(a.tenantId, { type: 'candidate', id }, 'email')).toEqual({ status: 'opted_in', source: 'link' });
    await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
    await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'email', status: 'opted_in' }).expect(200);
    // A forged or altered token undoes nothing. The token's MAC is altered in its bytes: changing its
    // last characters can leave the bytes as they were (base64url's last character has spare bits).
    const cut = path.lastIndexOf('/') + 1;
    const forged = Buffer.from(path.slice(cut), 'base64url');
    forged[forged.length - 1] = (forged[forged.length - 1] ?? 0) ^ 0xff;
    await request(t.http).post(`${path.slice(0, cut)}${forged.toString('base64url')}/resubscribe`).type('form').send('').expect(404);
  });

  it('after STOP, a recruiter\'s opt-in is a 409 and the SMS link cannot undo it either; START from the person does', async () => {
    const own = { accountSid: accountSid(), authToken: authToken(), messagingServiceSid: serviceSid() };
    await useOwnTwilio(t, a, own);
    const from = phone();
    const id = await createCandidate(t, a, { phone: from });
    await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, Body: 'STOP' }), own.authToken).expect(200);
    const refused = await api(t, a).put(`/v1/candidates/${id}/consent`, { channel: 'sms', status: 'opted_in' }).expect(409);
    expect(refused.body.detail).toMatch(/texting STOP; only they can opt back in by texting START/);
    const viaLink = await request(t.http).post(`${linkPath('candidate', id, 'sms')}/resubscribe`).type('form').send('').expect(409);
    expect(viaLink.text).toContain('START');
    expect(await consentOf(a.tenantId, { type: 'candidate', id }, 'sms')).toEqual({ status: 'opted_out', source: 'keyword' });
    await postTwilio(t, `/v1/webhooks/twilio/${a.webhookKey}/inbound`, inboundSms({ From: from, Body: 'START' }), own.authToken).expect(200);
    expect(await consentOf(a.tenantId, { type: 'candidate', id }, 'sms')).toEqual({ status: 'opted_in', source: 'keyword' });
  });
});
