import request from 'supertest';
import { bootTestApp, gql, signup, STRONG_PASSWORD, TestApp } from './support/test-app';

describe('auth: signup, login, refresh', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('signs up a firm and answers /v1/me', async () => {
    const a = await signup(t, { firmName: 'Acme Staffing', name: 'Jane Doe' });
    const me = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(me.body.kind).toBe('user');
    expect(me.body.user.email).toBe(a.email);
    expect(me.body.user.role).toBe('admin');
    expect(me.body.tenant.name).toBe('Acme Staffing');
    const g = await gql<{ me: { kind: string; user: { name: string }; tenant: { name: string } } }>(
      t,
      a.token,
      '{ me { kind user { name } tenant { id name timeZone } } }',
    );
    expect(g.errors).toBeUndefined();
    expect(g.data?.me.user.name).toBe('Jane Doe');
    expect(g.data?.me.tenant.name).toBe('Acme Staffing');
  });
});
