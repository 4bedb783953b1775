import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { EMAIL_DRIVER } from '../../src/messaging/drivers/driver.types';
import type { LogEmailDriver } from '../../src/messaging/drivers/log-email.driver';
import { api } from '../follow-ups/support';
import { bootTestApp, signup, STRONG_PASSWORD, TestApp, uniqueEmail, withAdminDb } from '../support/test-app';

/**
 * Email addresses neither leak nor can be squatted across firms (issue 18). Emails are unique per
 * firm: a signup answers the same whether or not the address is used elsewhere (and emails a
 * verification link either way); another firm's invite neither reveals nor blocks an address; an
 * expired invite is released; login picks the account by its password.
 */
describe('security: email enumeration and squatting', () => {
  const clock = new ManualClock(new Date());
  let t: TestApp;

  beforeAll(async () => {
    // Five attempts a minute per email (fifteen per address): enough to see the per-email limit.
    t = await bootTestApp({ clock, env: { RATE_LIMIT_LOGIN_PER_MINUTE: '5' } });
  });
  afterAll(async () => {
    await t.close();
  });
  // Each test starts with fresh rate-limit windows.
  beforeEach(() => void clock.advance(61_000));

  const mails = (to: string) => (t.app.get(EMAIL_DRIVER) as LogEmailDriver).sent.filter((m) => m.email.to === to).map((m) => m.email);
  const linkIn = (text: string) => /https?:\/\/\S+(\/v1\/auth\/verify-email\/\S+)/.exec(text)?.[1];
  const signupBody = (email: string, password = STRONG_PASSWORD) => ({ firmName: 'Probe Staffing', name: 'Pat Probe', email, password });
  const shape = (body: Record<string, unknown>) => ({
    keys: Object.keys(body).sort(),
    user: Object.keys(body.user as object).sort(),
    tenant: Object.keys(body.tenant as object).sort(),
  });
  const login = (email: string, password: string, firmId?: string) =>
    request(t.http).post('/v1/auth/login').send({ email, password, ...(firmId ? { firmId } : {}) });

  it('a signup with an address used in another firm answers exactly like one with a new address, and emails a link either way', async () => {
    const taken = await signup(t);
    const fresh = await request(t.http).post('/v1/auth/signup').send(signupBody(uniqueEmail('fresh'))).expect(201);
    const again = await request(t.http).post('/v1/auth/signup').send(signupBody(taken.email.toUpperCase(), 'another long passphrase here')).expect(201);
    expect(shape(again.body)).toEqual(shape(fresh.body));
    expect(again.body.tenant.id).not.toBe(taken.tenantId);
    // Its session is real, and in its own firm only.
    const me = await request(t.http).get('/v1/me').set('Authorization', `Bearer ${again.body.accessToken}`).expect(200);
    expect(me.body.tenant).toMatchObject({ id: again.body.tenant.id, emailVerified: false });
    // The address got a verification link for each signup: its owner hears of the second one.
    const sent = mails(taken.email);
    expect(sent).toHaveLength(2);
    for (const m of sent) {
      expect(m.subject).toBe('Confirm your email address for Touchpoint');
      expect(linkIn(m.text)).toMatch(/^\/v1\/auth\/verify-email\/ev\./);
    }
  });

  it('login picks the account by its password; the same password in two firms asks which (409 listing them), and firmId chooses', async () => {
    const first = await signup(t, { firmName: 'First Firm' });
    const second = await request(t.http).post('/v1/auth/signup').send({ ...signupBody(first.email), firmName: 'Second Firm', password: 'a different passphrase 42' }).expect(201);
    expect((await login(first.email, STRONG_PASSWORD).expect(200)).body.user.id).toBe(first.userId);
    expect((await login(first.email, 'a different passphrase 42').expect(200)).body.user.id).toBe(second.body.user.id);
    expect((await login(first.email, 'wrong passphrase entirely')).status).toBe(401);

    const third = await request(t.http).post('/v1/auth/signup').send({ ...signupBody(first.email), firmName: 'Third Firm' }).expect(201);
    clock.advance(61_000); // a new window for the per-email login limit
    const ambiguous = await login(first.email, STRONG_PASSWORD);
    expect(ambiguous.status).toBe(409);
    expect(ambiguous.body.detail).toBe('This email and password sign in to several firms; send firmId to choose one');
    expect(ambiguous.body.firms).toEqual([
      { id: first.tenantId, name: 'First Firm' },
      { id: third.body.tenant.id, name: 'Third Firm' },
    ]);
    expect((await login(first.email, STRONG_PASSWORD, third.body.tenant.id).expect(200)).body.user.id).toBe(third.body.user.id);
    // A firm the password does not open is the ordinary refusal.
    expect((await login(first.email, STRONG_PASSWORD, second.body.tenant.id)).status).toBe(401);
    expect((await request(t.http).post('/v1/auth/login').send({ email: first.email, password: STRONG_PASSWORD, firmId: 'nope' })).body.errors).toEqual([
      { field: 'firmId', message: 'firmId must be a UUID' },
    ]);
  });

  it("squatting signups with someone's address cannot hide the owner's account once the owner verifies it", async () => {
    const email = uniqueEmail('owner');
    // Ten firms signed up with the owner's address before the owner (login answers at most ten accounts per address).
    for (let i = 0; i < 10; i++) {
      if (i % 5 === 0) clock.advance(61_000);
      await request(t.http).post('/v1/auth/signup').send(signupBody(email, `squatter passphrase ${i}`)).expect(201);
    }
    clock.advance(61_000);
    const own = await request(t.http).post('/v1/auth/signup').send(signupBody(email, 'the real owner passphrase')).expect(201);
    expect((await login(email, 'the real owner passphrase')).status).toBe(401);
    // The owner uses the link from their mailbox (their signup's mail, the last one); squatters cannot.
    const link = linkIn(mails(email).at(-1)!.text)!;
    await request(t.http).post(link).expect(200);
    expect((await login(email, 'the real owner passphrase').expect(200)).body.user.id).toBe(own.body.user.id);
  });

  it("another firm's invite neither reveals an address nor blocks its owner's signup", async () => {
    const owner = await signup(t);
    const other = await signup(t);
    // Inviting an address that has an account elsewhere is like inviting any address.
    const invited = await api(t, other).post('/v1/users', { email: owner.email, name: 'Someone', role: 'recruiter' });
    expect(invited.status).toBe(201);
    // And an invite (a squatter's) does not block the address's own signup.
    const victim = uniqueEmail('victim');
    await api(t, other).post('/v1/users', { email: victim, name: 'Victim', role: 'recruiter' }).expect(201);
    const own = await request(t.http).post('/v1/auth/signup').send(signupBody(victim)).expect(201);
    expect((await login(victim, STRONG_PASSWORD).expect(200)).body.user.id).toBe(own.body.user.id);
  });

  it('an expired invite is released: the firm can invite the address again, and the old token is dead', async () => {
    const admin = await signup(t);
    const email = uniqueEmail('invitee');
    const first = await api(t, admin).post('/v1/users', { email, name: 'Invitee', role: 'recruiter' }).expect(201);
    const live = await api(t, admin).post('/v1/users', { email, name: 'Invitee', role: 'recruiter' });
    expect(live.status).toBe(409);
    expect(live.body.errors).toEqual([{ field: 'email', message: 'is already a user of this firm' }]);
    clock.advance(8 * 24 * 3600 * 1000);
    const second = await api(t, admin).post('/v1/users', { email, name: 'Invitee', role: 'recruiter' }).expect(201);
    expect(second.body.user.id).not.toBe(first.body.user.id);
    await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: first.body.inviteToken, password: STRONG_PASSWORD }).expect(401);
    await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: second.body.inviteToken, password: STRONG_PASSWORD }).expect(200);
    const users = (await api(t, admin).get('/v1/users').expect(200)).body;
    const list = (Array.isArray(users) ? users : users.items) as { email: string; status: string }[];
    expect(list.filter((u) => u.email === email)).toEqual([expect.objectContaining({ status: 'active' })]);
  });

  it('the verification link: its page changes nothing, the button verifies once, a new link replaces the old, and it expires', async () => {
    const who = await signup(t);
    const path = linkIn(mails(who.email).at(-1)!.text)!;
    const page = await request(t.http).get(path).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.text).toContain(`Confirm ${who.email}`);
    expect((await api(t, who).get('/v1/me').expect(200)).body.tenant.emailVerified).toBe(false);

    // A new link (resend) replaces the old one.
    expect((await api(t, who).post('/v1/me/verify-email').expect(200)).body).toEqual({ sent: true, emailVerified: false });
    const newer = linkIn(mails(who.email).at(-1)!.text)!;
    expect(newer).not.toBe(path);
    await request(t.http).post(path).expect(404);

    const done = await request(t.http).post(newer).expect(200);
    expect(done.text).toContain('Email confirmed');
    expect((await api(t, who).get('/v1/me').expect(200)).body.tenant.emailVerified).toBe(true);
    const stored = await withAdminDb(async (c) => (await c.query(`SELECT email_verified_at FROM users WHERE tenant_id = $1 AND id = $2`, [who.tenantId, who.userId])).rows[0]);
    expect(stored.email_verified_at).toBeInstanceOf(Date);
    await request(t.http).post(newer).expect(404);
    expect((await api(t, who).post('/v1/me/verify-email').expect(200)).body).toEqual({ sent: false, emailVerified: true });

    // Links expire after 7 days; forged or malformed ones are just not valid.
    const late = await signup(t);
    clock.advance(8 * 24 * 3600 * 1000);
    await request(t.http).post(linkIn(mails(late.email).at(-1)!.text)!).expect(404);
    await request(t.http).post(`/v1/auth/verify-email/ev.${late.tenantId}.${'x'.repeat(43)}`).expect(404);
    await request(t.http).get('/v1/auth/verify-email/not-a-token').expect(404);
  });

  it('signups to one address are limited per address (the same for any address), so nobody floods a mailbox', async () => {
    const email = uniqueEmail('flooded');
    const got: number[] = [];
    for (let i = 0; i < 7; i++) got.push((await request(t.http).post('/v1/auth/signup').send(signupBody(email))).status);
    expect(got).toEqual([201, 201, 201, 201, 201, 429, 429]);
    expect(mails(email)).toHaveLength(5);
  });
});

