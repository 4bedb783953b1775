import { api, bootEngine, EngineHarness, followUpsOf, messagesOf } from '../follow-ups/support';
import { signup, SignedUp, useIsolatedDatabase } from '../support/test-app';

/**
 * Issue 15: template variants. A firm gives a rule up to 4 weighted variants per channel and
 * audience; the preview shows the variant the send will use, and the sent follow-up records it.
 */
// This suite runs the dispatcher: a database of its own.
useIsolatedDatabase();

describe('template variants: preview == send, recorded on the follow-up', () => {
  let h: EngineHarness;
  let a: SignedUp;

  beforeAll(async () => {
    // Tuesday 1 December 2026, 09:00 in New York.
    h = await bootEngine('2026-12-01T14:00:00Z');
    a = await signup(h.t, { name: 'Pat Recruiter', timeZone: 'America/New_York' });
  });
  afterAll(async () => {
    await h.t.close();
  });

  const variants = [
    { name: 'warm', weight: 1, subject: 'Warm hello, {{recipientFirstName}}', body: 'Hi {{recipientFirstName}}, a warm check-in from {{recruiterName}}.' },
    { name: 'brief', weight: 3, subject: 'Quick one, {{recipientFirstName}}', body: 'Hi {{recipientFirstName}}, anything new? {{recruiterName}}' },
  ];

  it('weights that do not sum to a positive number are a 400 naming the field; nothing changes', async () => {
    const x = api(h.t, a);
    const res = await x
      .put('/v1/settings/follow-up-policy', { candidate_check_in: { variants: { email: { candidate: variants.map((v) => ({ ...v, weight: 0 })) } } } })
      .expect(400);
    expect(res.body.errors).toEqual([{ field: 'candidate_check_in.variants.email.candidate.weight', message: 'the weights must sum to a positive number' }]);
    const five = await x.put('/v1/settings/follow-up-policy', { candidate_check_in: { variants: { sms: { candidate: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, weight: 1, body: 'Hi' })) } } } }).expect(400);
    expect(five.body.errors[0]).toMatchObject({ field: 'candidate_check_in.variants.sms.candidate', message: expect.stringMatching(/at most 4/) });
    const policy = await x.get('/v1/settings/follow-up-policy').expect(200);
    expect(policy.body.candidate_check_in.variants).toBeUndefined();
  });

  it('the preview names the variant; the send uses it and records it', async () => {
    const x = api(h.t, a);
    const saved = await x.put('/v1/settings/follow-up-policy', { candidate_check_in: { variants: { email: { candidate: variants } } } }).expect(200);
    expect(saved.body.candidate_check_in.variants.email.candidate.map((v: { name: string }) => v.name)).toEqual(['warm', 'brief']);
    const ids: string[] = [];
    for (let i = 0; i < 8; i++) {
      ids.push((await x.post('/v1/candidates', { name: `Cand ${i} Doe`, email: `cand${i}@mail.example`, status: 'active', ownerUserId: a.userId }).expect(201)).body.id);
    }
    const list = (await x.get('/v1/follow-ups?limit=100').expect(200)).body.items as { id: string; rule: string; preview: { variant: string | null; subject: string } }[];
    const checkIns = list.filter((f) => f.rule === 'candidate_check_in');
    expect(checkIns).toHaveLength(8);
    const previewed = new Map(checkIns.map((f) => [f.id, f.preview.variant]));
    for (const f of checkIns) {
      expect(['warm', 'brief']).toContain(f.preview.variant);
      expect(f.preview.subject).toBe(f.preview.variant === 'warm' ? 'Warm hello, Cand' : 'Quick one, Cand');
    }
    // Asked again, the same answer.
    const again = (await x.get('/v1/follow-ups?limit=100').expect(200)).body.items as { id: string; preview: { variant: string | null } | null }[];
    for (const f of again) if (previewed.has(f.id)) expect(f.preview?.variant).toBe(previewed.get(f.id));

    h.clock.set('2026-12-08T15:00:00Z');
    await h.dispatcher.drain();
    const rows = await followUpsOf(a.tenantId, `rule = 'candidate_check_in' AND status = 'sent'`);
    expect(rows).toHaveLength(8);
    const messages = await messagesOf(a.tenantId);
    for (const row of rows) {
      expect(row.variant).toBe(previewed.get(String(row.id)));
      const m = messages.find((msg) => msg.id === row.message_id);
      expect(m?.subject).toBe(row.variant === 'warm' ? 'Warm hello, Cand' : 'Quick one, Cand');
    }
    // The API shows it too.
    const one = await x.get(`/v1/follow-ups/${String(rows[0]!.id)}`).expect(200);
    expect(one.body.variant).toBe(rows[0]!.variant);
  });
});
