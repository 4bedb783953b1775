import request from 'supertest';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp } from '../support/test-app';

describe('a contact timeline: messages and activities, REST and GraphQL', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let hank: string;
  const SECRET = 'contact-timeline-inbound-secret-0123';

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    b = await signup(t);
    const auth = { Authorization: `Bearer ${a.token}` };
    hank = (await request(t.http).post('/v1/contacts').set(auth).send({ name: 'Hank Hiring', email: 'hank@globex.example', phone: '+14155550142' }).expect(201)).body.id;
    await request(t.http).put('/v1/settings/senders').set(auth).send({ inboundEmailSecret: SECRET }).expect(200);
    await request(t.http)
      .post(`/v1/webhooks/email/${a.webhookKey}/inbound`)
      .set('X-Touchpoint-Webhook-Secret', SECRET)
      .send({ from: 'hank@globex.example', to: 'team@firm.example', subject: 'Re: Jane', text: 'Send her over.', messageId: '<ct-1@globex.example>' })
      .expect((r) => expect(r.status).toBeLessThan(300));
    await request(t.http)
      .post('/v1/activities')
      .set(auth)
      .send({ contactId: hank, kind: 'call', direction: 'out', summary: 'Talked about the role', occurredAt: new Date(Date.now() - 60_000).toISOString() })
      .expect(201);
  });
  afterAll(async () => {
    await t.close();
  });

  it('lists the inbound email and the logged call, oldest first', async () => {
    const res = await request(t.http).get(`/v1/contacts/${hank}/timeline`).set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(res.body.contactId).toBe(hank);
    expect(res.body.items.map((i: { kind: string }) => i.kind).sort()).toEqual(['activity.logged', 'message.received']);
    const g = await gql<{ contact: { timeline: { kind: string; summary: string }[] } }>(t, a.token, 'query($id: ID!) { contact(id: $id) { timeline { kind summary } } }', { id: hank });
    expect(g.errors).toBeUndefined();
    expect(g.data?.contact.timeline.map((i) => i.kind).sort()).toEqual(['activity.logged', 'message.received']);
  });

  it('leaves out what the caller may not read', async () => {
    const key = await createApiKey(t, a, ['contacts:read']);
    const res = await request(t.http).get(`/v1/contacts/${hank}/timeline`).set('Authorization', `Bearer ${key.secret}`).expect(200);
    expect(res.body.items).toEqual([]);
  });

  it("another tenant gets 404, and bad ids are 404", async () => {
    await request(t.http).get(`/v1/contacts/${hank}/timeline`).set('Authorization', `Bearer ${b.token}`).expect(404);
    await request(t.http).get('/v1/contacts/not-a-uuid/timeline').set('Authorization', `Bearer ${a.token}`).expect(404);
    const g = await gql(t, b.token, 'query($id: ID!) { contact(id: $id) { timeline { kind } } }', { id: hank });
    expect(g.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
