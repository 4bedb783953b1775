import { VariantsService } from '../../src/analytics/variants.service';
import { ManualClock } from '../../src/common/clock';
import { api } from '../follow-ups/support';
import { bootTestApp, gql, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

/**
 * Issue 15: a template variant is promoted exactly when it leads with the firm's confidence and
 * every active variant has minSends closed-window sends, and not before. The sends and replies are
 * written as the dispatcher and the inbound webhooks leave them (their own suites cover those);
 * the check runs through the API (it also runs hourly with SCHEDULER=on).
 *
 * Hand computation (one-sided pooled two-proportion z-test, Φ(z)):
 *   a 6/10 vs b 2/9:  b has 9 sends < minSends 10              → no promotion (whatever the confidence)
 *   a 6/10 vs b 3/10: z = 0.3 / √(0.45·0.55·0.2) = 1.3484, Φ = 0.9112 < 0.95 → no promotion
 *   a 7/10 vs b 3/10: z = 0.4 / √(0.5·0.5·0.2)   = 1.7889, Φ = 0.9632 ≥ 0.95 → a is promoted
 */
describe('template variants: automatic promotion', () => {
  let t: TestApp;
  let clock: ManualClock;
  let a: SignedUp;
  const people: string[] = [];
  const sends: { id: string; person: string; variant: string }[] = [];

  async function send(variant: string, replied: boolean): Promise<void> {
    const person = people[sends.length]!;
    const at = new Date(Date.UTC(2026, 10, 2, 10, sends.length));
    const id = await withAdminDb(async (c) => {
      const row = await c.query(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, recipient_type, recipient_candidate_id, occurrence, channel,
                                 due_at, sent_at, variant, created_at, updated_at)
         VALUES ($1, 'candidate_check_in', 'message', $2, 'sent', $3, 'candidate', $3, 'once', 'email', $4, $4, $5, $4, $4) RETURNING id`,
        [a.tenantId, `test:promo:${person}`, person, at, variant],
      );
      return row.rows[0].id as string;
    });
    sends.push({ id, person, variant });
    if (replied) await reply(person, at);
  }

  async function reply(person: string, sentAt: Date): Promise<void> {
    await withAdminDb((c) =>
      c.query(
        `INSERT INTO messages (tenant_id, candidate_id, direction, channel, status, provider, body, reply_state, created_at, updated_at)
         VALUES ($1, $2, 'in', 'email', 'received', 'smtp', 'Going well!', 'open', $3, $3)`,
        [a.tenantId, person, new Date(sentAt.getTime() + 3_600_000)],
      ),
    );
  }

  const evaluate = async () => (await api(t, a).post('/v1/settings/variant-promotion/evaluate').expect(200)).body.promotions as { variant: string; confidence: number }[];
  const weights = async () => {
    const policy = (await api(t, a).get('/v1/settings/follow-up-policy').expect(200)).body;
    return Object.fromEntries((policy.candidate_check_in.variants.email.candidate as { name: string; weight: number }[]).map((v) => [v.name, v.weight]));
  };
  const promotedEvents = () =>
    withAdminDb(async (c) => (await c.query(`SELECT payload FROM outbox_events WHERE tenant_id = $1 AND type = 'template_variant.promoted'`, [a.tenantId])).rows);

  beforeAll(async () => {
    clock = new ManualClock('2026-11-01T12:00:00Z');
    t = await bootTestApp({ clock });
    a = await signup(t);
    const x = api(t, a);
    for (let i = 0; i < 20; i++) people.push((await x.post('/v1/candidates', { name: `Person ${i}`, email: `p${i}@mail.example`, status: 'inactive' }).expect(201)).body.id);
    await x
      .put('/v1/settings/follow-up-policy', {
        candidate_check_in: {
          variants: {
            email: {
              candidate: [
                { name: 'a', weight: 1, subject: 'How is it going, {{recipientFirstName}}?', body: 'Hi {{recipientFirstName}}, how is the search?' },
                { name: 'b', weight: 1, subject: 'Checking in', body: 'Hi {{recipientFirstName}}, checking in.' },
              ],
            },
          },
        },
      })
      .expect(200);
    // Every reply window (7 days) of the sends of Nov 2 has closed.
    clock.set('2026-12-01T12:00:00Z');
  });
  afterAll(async () => {
    await t.close();
  });

  it('settings: defaults, and bad values are a 400 naming the field with nothing changed', async () => {
    const x = api(t, a);
    expect((await x.get('/v1/settings/variant-promotion').expect(200)).body).toEqual({ enabled: false, confidence: 0.95, minSends: 100 });
    const bad = await x.put('/v1/settings/variant-promotion', { enabled: 'yes', confidence: 1.5, minSends: 0 }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['confidence', 'enabled', 'minSends']);
    expect((await x.get('/v1/settings/variant-promotion').expect(200)).body.enabled).toBe(false);
  });

  it('nothing is promoted while promotion is off, however far ahead a variant is', async () => {
    for (let i = 0; i < 10; i++) await send('a', i < 6);
    for (let i = 0; i < 9; i++) await send('b', i < 2);
    expect(await evaluate()).toEqual([]);
  });

  it('turned on: not before every variant has minSends sends (b has 9)', async () => {
    await api(t, a).put('/v1/settings/variant-promotion', { enabled: true, minSends: 10 }).expect(200);
    expect(await evaluate()).toEqual([]);
    expect(await weights()).toEqual({ a: 1, b: 1 });
  });

  it('not while the leader is ahead with less than the confidence (a 6/10 vs b 3/10: 91.1%)', async () => {
    await send('b', true);
    const cmp = (await api(t, a).get('/v1/analytics/variants').query({ since: '2026-11-01T00:00:00Z', until: '2026-12-01T00:00:00Z' }).expect(200)).body;
    const group = cmp.comparisons.find((g: { rule: string }) => g.rule === 'candidate_check_in');
    expect(group).toMatchObject({ channel: 'email', audience: 'candidate', leader: 'a' });
    expect(group.leaderConfidence).toBeCloseTo(0.91121, 4);
    expect(group.variants.map((v: { variant: string; sent: number; replied: number; weight: number }) => [v.variant, v.weight, v.sent, v.replied])).toEqual([
      ['a', 1, 10, 6],
      ['b', 1, 10, 3],
    ]);
    // Wilson 95% of 6/10: [0.3127, 0.8318].
    expect(group.variants[0].low).toBeCloseTo(0.3127, 4);
    expect(group.variants[0].high).toBeCloseTo(0.8318, 4);
    expect(await evaluate()).toEqual([]);
  });

  it('exactly when it crosses: a 7/10 vs b 3/10 is 96.3%; at 97% it waits, at 95% it is promoted', async () => {
    const unanswered = sends.find((s, i) => s.variant === 'a' && i >= 6 && i < 10)!;
    await reply(unanswered.person, new Date(Date.UTC(2026, 10, 2, 10, sends.indexOf(unanswered))));
    await api(t, a).put('/v1/settings/variant-promotion', { confidence: 0.97 }).expect(200);
    expect(await evaluate()).toEqual([]);
    expect(await promotedEvents()).toEqual([]);

    await api(t, a).put('/v1/settings/variant-promotion', { confidence: 0.95 }).expect(200);
    const promoted = await evaluate();
    expect(promoted).toEqual([expect.objectContaining({ rule: 'candidate_check_in', channel: 'email', audience: 'candidate', variant: 'a' })]);
    expect(promoted[0]!.confidence).toBeCloseTo(0.96318, 4);
    // Every send of the rule now gets a.
    expect(await weights()).toEqual({ a: 1, b: 0 });

    // Announced by the webhook event…
    const events = await promotedEvents();
    expect(events).toHaveLength(1);
    expect(events[0].payload).toMatchObject({
      rule: 'candidate_check_in',
      channel: 'email',
      audience: 'candidate',
      variant: 'a',
      variants: [
        { name: 'a', sent: 10, replied: 7 },
        { name: 'b', sent: 10, replied: 3 },
      ],
    });
    // …and recorded in the audit log, by the system.
    const audit = await api(t, a).get('/v1/audit-log?actorKind=system').expect(200);
    expect(audit.body.items).toHaveLength(1);
    expect(audit.body.items[0]).toMatchObject({
      actorKind: 'system',
      actorId: '00000000-0000-0000-0000-000000000000',
      table: 'template_variants',
      changes: { 'candidate_check_in.variants.email.candidate.weights': { before: { a: 1, b: 1 }, after: { a: 1, b: 0 } } },
    });

    // Once promoted, there is nothing left to compare: neither the check nor the hourly sweep (which
    // finds this firm among those that turned promotion on) promotes again.
    expect(await evaluate()).toEqual([]);
    await t.app.get(VariantsService).sweep();
    expect(await weights()).toEqual({ a: 1, b: 0 });
    expect(await promotedEvents()).toHaveLength(1);
  });

  it('GraphQL changes the settings, with the same checks', async () => {
    const bad = await gql(t, a.token, `mutation { updateVariantPromotion(input: { confidence: 0.5 }) { confidence } }`);
    expect(bad.errors?.[0]?.message).toMatch(/confidence: must be a number from 0.8 to 0.999/);
    const ok = await gql<{ updateVariantPromotion: { enabled: boolean; confidence: number; minSends: number } }>(
      t,
      a.token,
      `mutation { updateVariantPromotion(input: { minSends: 200 }) { enabled confidence minSends } }`,
    );
    expect(ok.errors).toBeUndefined();
    expect(ok.data?.updateVariantPromotion).toEqual({ enabled: true, confidence: 0.95, minSends: 200 });
  });

  it('GraphQL shows the comparison', async () => {
    const r = await gql<{ variantAnalytics: { comparisons: { leader: string; variants: { variant: string; weight: number }[] }[] } }>(
      t,
      a.token,
      `{ variantAnalytics(filter: { rule: candidate_check_in }) { comparisons { leader variants { variant weight } } } }`,
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.variantAnalytics.comparisons).toEqual([{ leader: 'a', variants: [{ variant: 'a', weight: 1 }, { variant: 'b', weight: 0 }] }]);
  });
});
