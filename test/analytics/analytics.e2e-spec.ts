import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { api } from '../follow-ups/support';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp, uniqueEmail, useIsolatedDatabase, withAdminDb } from '../support/test-app';

/**
 * Issue 15: a scripted November of sends, replies (SMS and email), logged calls and lead moves,
 * driven by the test clock. People, leads, lead moves and logged calls go through the API at the
 * clock's time; the follow-ups' sends (and their outbound messages), the inbound replies and an
 * opt-out are written as the dispatcher and the inbound webhooks would write them (those paths
 * have their own suites). Every figure below is counted by hand in the comments.
 *
 * The script (all times UTC, 2026; the period is Nov 1 .. Dec 1):
 *   F1 Nov 02 10:00 resume_follow_up   email → Hank (lead L1 of c1)     Hank emails back 12:00   (+7200 s)
 *   F2 Nov 03 10:00 resume_follow_up   sms   → Cora (lead L2 of c2)     Cora calls in Nov 04 10:00 (logged, +86400 s); texts Nov 05
 *   F3 Nov 05 10:00 resume_follow_up   email → Hank (lead L3 of c3)     Hank texts only on Nov 20 (outside 7 days)
 *   B1 Nov 06 10:00 resume_follow_up   cancelled (L4 of c4 moved to interviewing at that moment)
 *   B2 Nov 07 10:00 resume_follow_up   skipped: nobody to send to (L5 of c5)
 *   F5 Nov 12 10:00 interview_thank_you email → c1 (L1)                 c1 texts 10:30 (+1800 s)
 *   F6 Nov 14 10:00 candidate_check_in sms   → c5 (Rita, variant b)     c5 texts Nov 16 10:00 (+172800 s)
 *   F7 Nov 15 10:00 candidate_check_in email → c6 (Rita, variant a)     no answer; c6 opts out by link Nov 17
 *   B3 Nov 16 10:00 candidate_check_in cancelled (c3)
 *   X1 Nov 18 10:00 candidate_check_in failed invalid_number (c2)
 *   X2 Nov 19 10:00 candidate_check_in failed mailbox_full (c4)
 *   B4 Nov 21 10:00 candidate_check_in skipped: nobody to send to (c4)
 *   E1 Nov 22 10:00 candidate_check_in cancelled: the person was erased (c2; not a baseline)
 *   lead moves: L4 → interviewing Nov 06 10:00; L1 → interviewing Nov 10; L1 → offer Nov 20; L3 → interviewing Nov 30
 *   F13 Dec 02 10:00 candidate_check_in email → c1 (after the period)
 */
useIsolatedDatabase();

const NOV = { since: '2026-11-01T00:00:00.000Z', until: '2026-12-01T00:00:00.000Z' };

describe('analytics: did following up work? (a scripted month)', () => {
  let t: TestApp;
  let clock: ManualClock;
  let a: SignedUp;
  let b: SignedUp;
  let ritaId: string;
  const ids: Record<string, string> = {};

  const at = (iso: string): Date => {
    clock.set(iso);
    return new Date(iso);
  };

  /** A follow-up as the dispatcher leaves it: sent (with its outbound message) or settled otherwise. */
  async function followUp(
    tenantId: string,
    f: {
      rule: string;
      status: 'sent' | 'failed' | 'skipped' | 'cancelled';
      to: { candidate?: string; contact?: string };
      channel?: 'email' | 'sms' | null;
      leadId?: string;
      candidateId?: string;
      owner?: string;
      variant?: string;
      reason?: string;
      errorCode?: string;
    },
  ): Promise<void> {
    const now = clock.now();
    await withAdminDb(async (c) => {
      let messageId: string | null = null;
      if (f.status === 'sent') {
        messageId = (
          await c.query(
            `INSERT INTO messages (tenant_id, candidate_id, contact_id, direction, channel, status, provider, body, created_at, updated_at)
             VALUES ($1, $2, $3, 'out', $4, 'delivered', 'log', 'hello', $5, $5) RETURNING id`,
            [tenantId, f.to.candidate ?? null, f.to.contact ?? null, f.channel, now],
          )
        ).rows[0].id;
      }
      await c.query(
        `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, candidate_id, lead_id, recipient_type, recipient_candidate_id,
                                 recipient_contact_id, owner_user_id, occurrence, channel, due_at, reason, error_code, message_id, sent_at,
                                 variant, created_at, updated_at)
         VALUES ($1, $2, 'message', $3, $4, $5, $6, $7, $8, $9, $10, 'once', $11, $12, $13, $14, $15, $16, $17, $12, $12)`,
        [
          tenantId,
          f.rule,
          `test:${randomUUID()}`,
          f.status,
          f.candidateId ?? f.to.candidate ?? null,
          f.leadId ?? null,
          f.to.candidate ? 'candidate' : 'contact',
          f.to.candidate ?? null,
          f.to.contact ?? null,
          f.owner ?? null,
          f.channel ?? null,
          now,
          f.reason ?? null,
          f.errorCode ?? null,
          messageId,
          f.status === 'sent' ? now : null,
          f.variant ?? null,
        ],
      );
    });
  }

  /** An inbound SMS or email as the inbound webhooks store it. */
  async function reply(tenantId: string, from: { candidate?: string; contact?: string }, channel: 'email' | 'sms'): Promise<void> {
    await withAdminDb((c) =>
      c.query(
        `INSERT INTO messages (tenant_id, candidate_id, contact_id, direction, channel, status, provider, body, reply_state, created_at, updated_at)
         VALUES ($1, $2, $3, 'in', $4, 'received', $5, 'thanks', 'open', $6, $6)`,
        [tenantId, from.candidate ?? null, from.contact ?? null, channel, channel === 'sms' ? 'twilio' : 'smtp', clock.now()],
      ),
    );
  }

  beforeAll(async () => {
    clock = new ManualClock('2026-10-20T12:00:00Z');
    t = await bootTestApp({ clock });
    a = await signup(t, { name: 'Pat Admin' });
    b = await signup(t);
    const x = api(t, a);
    ritaId = (await x.post('/v1/users', { email: uniqueEmail('rita'), name: 'Rita Recruiter', role: 'recruiter' }).expect(201)).body.user.id;
    ids.hank = (await x.post('/v1/contacts', { name: 'Hank Hiring', email: 'hank@globex.example', company: 'Globex' }).expect(201)).body.id;
    ids.cora = (await x.post('/v1/contacts', { name: 'Cora Hiring', phone: '+14155550122', company: 'Initech' }).expect(201)).body.id;
    const candidate = async (name: string, status: string, owner: string): Promise<string> =>
      (await x.post('/v1/candidates', { name, email: `${name.toLowerCase()}@mail.example`, status, ownerUserId: owner }).expect(201)).body.id;
    ids.c1 = await candidate('Cee1', 'active', a.userId);
    ids.c2 = await candidate('Cee2', 'inactive', a.userId);
    ids.c3 = await candidate('Cee3', 'inactive', a.userId);
    ids.c4 = await candidate('Cee4', 'inactive', a.userId);
    ids.c5 = await candidate('Cee5', 'active', ritaId);
    ids.c6 = await candidate('Cee6', 'active', ritaId);
    const lead = async (c: string): Promise<string> => (await x.post('/v1/leads', { candidateId: ids[c], company: 'Globex', position: 'Engineer', status: 'applied' }).expect(201)).body.id;
    const move = async (l: string, status: string): Promise<void> => {
      await x.post(`/v1/leads/${ids[l]}/status`, { status }).expect(200);
    };

    at('2026-10-25T10:00:00Z');
    for (const n of [1, 2, 3, 4, 5]) ids[`L${n}`] = await lead(`c${n}`);

    at('2026-11-02T10:00:00Z');
    await followUp(a.tenantId, { rule: 'resume_follow_up', status: 'sent', channel: 'email', to: { contact: ids.hank }, leadId: ids.L1, candidateId: ids.c1, owner: a.userId });
    at('2026-11-02T12:00:00Z');
    await reply(a.tenantId, { contact: ids.hank }, 'email');
    at('2026-11-03T10:00:00Z');
    await followUp(a.tenantId, { rule: 'resume_follow_up', status: 'sent', channel: 'sms', to: { contact: ids.cora }, leadId: ids.L2, candidateId: ids.c2, owner: a.userId });
    at('2026-11-04T10:00:00Z');
    await x.post('/v1/activities', { contactId: ids.cora, kind: 'call', direction: 'in', summary: 'Cora called back.' }).expect(201);
    at('2026-11-05T09:00:00Z');
    await reply(a.tenantId, { contact: ids.cora }, 'sms');
    at('2026-11-05T10:00:00Z');
    await followUp(a.tenantId, { rule: 'resume_follow_up', status: 'sent', channel: 'email', to: { contact: ids.hank }, leadId: ids.L3, candidateId: ids.c3, owner: a.userId });
    at('2026-11-06T10:00:00Z');
    await move('L4', 'interviewing');
    await followUp(a.tenantId, { rule: 'resume_follow_up', status: 'cancelled', to: { contact: ids.cora }, leadId: ids.L4, candidateId: ids.c4, owner: a.userId, reason: 'the lead moved to interviewing' });
    at('2026-11-07T10:00:00Z');
    await followUp(a.tenantId, { rule: 'resume_follow_up', status: 'skipped', to: { contact: ids.hank }, leadId: ids.L5, candidateId: ids.c5, owner: ritaId, reason: 'nobody to send to: no email or phone' });
    at('2026-11-10T10:00:00Z');
    await move('L1', 'interviewing');
    at('2026-11-12T10:00:00Z');
    await followUp(a.tenantId, { rule: 'interview_thank_you', status: 'sent', channel: 'email', to: { candidate: ids.c1 }, leadId: ids.L1, owner: a.userId });
    at('2026-11-12T10:30:00Z');
    await reply(a.tenantId, { candidate: ids.c1 }, 'sms');
    at('2026-11-14T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'sms', to: { candidate: ids.c5 }, owner: ritaId, variant: 'b' });
    at('2026-11-15T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'email', to: { candidate: ids.c6 }, owner: ritaId, variant: 'a' });
    at('2026-11-16T10:00:00Z');
    await reply(a.tenantId, { candidate: ids.c5 }, 'sms');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'cancelled', to: { candidate: ids.c3 }, owner: a.userId, reason: 'the candidate is no longer active' });
    at('2026-11-17T10:00:00Z');
    await withAdminDb((c) =>
      c.query(`INSERT INTO consent_events (tenant_id, candidate_id, channel, status, source, created_at) VALUES ($1, $2, 'email', 'opted_out', 'link', $3)`, [
        a.tenantId,
        ids.c6,
        clock.now(),
      ]),
    );
    at('2026-11-18T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'failed', channel: 'sms', to: { candidate: ids.c2 }, owner: a.userId, errorCode: 'invalid_number' });
    at('2026-11-19T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'failed', channel: 'email', to: { candidate: ids.c4 }, owner: a.userId, errorCode: 'mailbox_full' });
    at('2026-11-20T10:00:00Z');
    await move('L1', 'offer');
    await reply(a.tenantId, { contact: ids.hank }, 'sms');
    at('2026-11-21T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'skipped', to: { candidate: ids.c4 }, owner: a.userId, reason: 'nobody to send to: no email or phone' });
    at('2026-11-22T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'cancelled', to: { candidate: ids.c2 }, owner: a.userId, reason: 'the person was erased' });
    at('2026-11-30T10:00:00Z');
    await move('L3', 'interviewing');
    at('2026-12-01T09:00:00Z');
    ids.c7 = await candidate('Cee7', 'active', ritaId);
    at('2026-12-02T10:00:00Z');
    await followUp(a.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'email', to: { candidate: ids.c1 }, owner: a.userId });

    // Tenant B: one send, answered at once, in the same month.
    const y = api(t, b);
    ids.bCand = (await y.post('/v1/candidates', { name: 'Bee', email: 'bee@mail.example', status: 'inactive' }).expect(201)).body.id;
    at('2026-11-10T10:00:00Z');
    await followUp(b.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'sms', to: { candidate: ids.bCand } });
    at('2026-11-10T10:01:00Z');
    await reply(b.tenantId, { candidate: ids.bCand }, 'sms');
    at('2026-12-02T12:00:00Z');
  }, 60_000);
  afterAll(async () => {
    await t.close();
  });

  const get = (who: SignedUp, path: string, query: Record<string, string | number> = {}) =>
    request(t.http)
      .get(path)
      .query({ ...NOV, ...query })
      .set('Authorization', `Bearer ${who.token}`);

  it('reply rate and time to reply: 4 of 6 sends answered; times 1800, 7200, 86400, 172800 s', async () => {
    const res = await get(a, '/v1/analytics/replies').expect(200);
    expect(res.body.period).toEqual(NOV);
    expect(res.body.windowDays).toBe(7);
    // F1 (email reply), F2 (logged call), F5 (SMS), F6 (SMS) answered; F3 (answer after 15 days) and F7 not.
    // percentile_disc: the median of 4 is the 2nd (7200), the p90 the 4th (172800).
    expect(res.body.total).toEqual({ rule: null, sent: 6, replied: 4, replyRate: 4 / 6, medianSecondsToReply: 7200, p90SecondsToReply: 172800 });
    expect(res.body.byRule).toEqual([
      { rule: 'candidate_check_in', sent: 2, replied: 1, replyRate: 0.5, medianSecondsToReply: 172800, p90SecondsToReply: 172800 },
      { rule: 'interview_thank_you', sent: 1, replied: 1, replyRate: 1, medianSecondsToReply: 1800, p90SecondsToReply: 1800 },
      { rule: 'resume_follow_up', sent: 3, replied: 2, replyRate: 2 / 3, medianSecondsToReply: 7200, p90SecondsToReply: 86400 },
    ]);
  });

  it('filters: channel, recruiter, audience, variant, rule, and the reply window', async () => {
    const total = async (q: Record<string, string | number>) => (await get(a, '/v1/analytics/replies', q).expect(200)).body.total;
    // SMS: F2 (86400) and F6 (172800).
    expect(await total({ channel: 'sms' })).toMatchObject({ sent: 2, replied: 2, medianSecondsToReply: 86400, p90SecondsToReply: 172800 });
    // Rita: F6 and F7.
    expect(await total({ recruiter: ritaId })).toMatchObject({ sent: 2, replied: 1, replyRate: 0.5 });
    // To contacts: F1, F2, F3.
    expect(await total({ audience: 'contact' })).toMatchObject({ sent: 3, replied: 2 });
    expect(await total({ audience: 'candidate' })).toMatchObject({ sent: 3, replied: 2 });
    expect(await total({ variant: 'b' })).toMatchObject({ sent: 1, replied: 1, medianSecondsToReply: 172800 });
    expect(await total({ rule: 'interview_thank_you' })).toMatchObject({ sent: 1, replied: 1 });
    // A one-day window: only F1 (2 h) and F5 (30 min); the call came exactly 24 h after F2, still inside.
    expect(await total({ windowDays: 1 })).toMatchObject({ sent: 6, replied: 3, medianSecondsToReply: 7200 });
    // A 20-day window also counts Hank's text of Nov 20 for F3 (15 days).
    expect(await total({ windowDays: 20 })).toMatchObject({ sent: 6, replied: 5 });
    // December holds only F13.
    expect(await total({ since: '2026-12-01T00:00:00Z', until: '2026-12-03T00:00:00Z' })).toMatchObject({ sent: 1, replied: 0, replyRate: 0 });
  });

  it('outcome rates against their baseline', async () => {
    const res = await get(a, '/v1/analytics/outcomes').expect(200);
    expect(res.body.outcomeDays).toBe(21);
    expect(res.body.rules).toEqual([
      // Sent: L1 (interviewing on day 8: yes), L2 (never), L3 (on day 25: too late) → 1 of 3.
      // Baseline: L4 (cancelled as it moved: yes), L5 (skipped, never moved) → 1 of 2.
      { rule: 'resume_follow_up', outcome: 'the lead reached interviewing', followedUp: { n: 3, hits: 1, rate: 1 / 3 }, baseline: { n: 2, hits: 1, rate: 0.5 } },
      // Sent: L1 reached offer on day 8 → 1 of 1. No baseline.
      { rule: 'interview_thank_you', outcome: 'the lead reached offer', followedUp: { n: 1, hits: 1, rate: 1 }, baseline: { n: 0, hits: 0, rate: null } },
      // Sent: c5 answered (yes), c6 did not and has no lead (no) → 1 of 2.
      // Baseline: c3 (cancelled Nov 16; L3 moved Nov 30: yes), c4 (skipped Nov 21; nothing after: no) → 1 of 2.
      // c2's check-in was cancelled because the person was erased: not a baseline.
      { rule: 'candidate_check_in', outcome: 'the candidate stayed active', followedUp: { n: 2, hits: 1, rate: 0.5 }, baseline: { n: 2, hits: 1, rate: 0.5 } },
    ]);
    const one = await get(a, '/v1/analytics/outcomes', { rule: 'resume_follow_up', channel: 'email' }).expect(200);
    // Email sends only (F1, F3); the baseline is kept whatever its channel.
    expect(one.body.rules).toEqual([expect.objectContaining({ rule: 'resume_follow_up', followedUp: { n: 2, hits: 1, rate: 0.5 }, baseline: { n: 2, hits: 1, rate: 0.5 } })]);
  });

  it('failure, skip and opt-out rates with their top reasons', async () => {
    const res = await get(a, '/v1/analytics/deliverability').expect(200);
    // Settled in November: 6 sent, 2 failed, 2 skipped, 3 cancelled.
    expect(res.body).toMatchObject({
      settled: 13,
      sent: 6,
      cancelled: 3,
      failures: { n: 8, hits: 2, rate: 2 / 8 },
      skips: { n: 10, hits: 2, rate: 2 / 10 },
      optOuts: { n: 6, hits: 1, rate: 1 / 6 },
      topFailureReasons: [
        { reason: 'invalid_number', count: 1 },
        { reason: 'mailbox_full', count: 1 },
      ],
      topSkipReasons: [{ reason: 'nobody to send to: no email or phone', count: 2 }],
      topOptOutReasons: [{ reason: 'link', count: 1 }],
      topCancelReasons: [
        { reason: 'the candidate is no longer active', count: 1 },
        { reason: 'the lead moved to interviewing', count: 1 },
        { reason: 'the person was erased', count: 1 },
      ],
    });
    const sms = await get(a, '/v1/analytics/deliverability', { channel: 'sms' }).expect(200);
    // SMS: F2, F6 sent; X1 failed; skipped and cancelled ones have no channel.
    expect(sms.body).toMatchObject({ settled: 3, sent: 2, failures: { n: 3, hits: 1 }, optOuts: { n: 2, hits: 0 } });
  });

  it('gone quiet per recruiter, now (Dec 2 12:00, check-in cadence P7D)', async () => {
    const res = await get(a, '/v1/analytics/gone-quiet').expect(200);
    expect(res.body.cadence).toBe('P7D');
    expect(res.body.asOf).toBe('2026-12-02T12:00:00.000Z');
    // Rita: c5 (last touch Nov 16) and c6 (Nov 15) quiet; c7 added Dec 1 is not. Pat: c1 got F13 on Dec 2.
    expect(res.body.recruiters).toEqual([
      { recruiterId: ritaId, recruiterName: 'Rita Recruiter', active: 3, quiet: 2 },
      { recruiterId: a.userId, recruiterName: 'Pat Admin', active: 1, quiet: 0 },
    ]);
  });

  it('GraphQL gives the same figures', async () => {
    const r = await gql<{ replyAnalytics: { total: { sent: number; replied: number; medianSecondsToReply: number } }; outcomeAnalytics: { rules: { rule: string; followedUp: { hits: number } }[] }; deliverabilityAnalytics: { settled: number }; goneQuietAnalytics: { recruiters: { quiet: number }[] } }>(
      t,
      a.token,
      `query($f: AnalyticsFilterInput) {
        replyAnalytics(filter: $f) { total { sent replied medianSecondsToReply } }
        outcomeAnalytics(filter: $f) { rules { rule followedUp { hits } } }
        deliverabilityAnalytics(filter: $f) { settled }
        goneQuietAnalytics(filter: $f) { recruiters { quiet } }
      }`,
      { f: NOV },
    );
    expect(r.errors).toBeUndefined();
    expect(r.data?.replyAnalytics.total).toEqual({ sent: 6, replied: 4, medianSecondsToReply: 7200 });
    expect(r.data?.outcomeAnalytics.rules.map((x) => x.followedUp.hits)).toEqual([1, 1, 1]);
    expect(r.data?.deliverabilityAnalytics.settled).toBe(13);
    expect(r.data?.goneQuietAnalytics.recruiters.map((x) => x.quiet)).toEqual([2, 0]);
  });

  it('bad input is a 400 naming the problem, over REST and GraphQL', async () => {
    const bad = async (q: Record<string, string>, field: string, message: RegExp) => {
      const res = await get(a, '/v1/analytics/replies', q).expect(400);
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field, message: expect.stringMatching(message) })]));
    };
    await bad({ rule: 'resume_followup' }, 'rule', /unknown/);
    await bad({ since: '2025-01-01T00:00:00Z', until: '2026-02-15T00:00:00Z' }, 'until', /at most 400 days/);
    await bad({ since: '2026-11-10T00:00:00Z', until: '2026-11-01T00:00:00Z' }, 'until', /after since/);
    await bad({ since: 'yesterday' }, 'since', /ISO-8601/);
    await bad({ channel: 'fax' }, 'channel', /email or sms/);
    await bad({ windowDays: '0' }, 'windowDays', /at least 1/);
    for (const path of ['/v1/analytics/outcomes', '/v1/analytics/deliverability', '/v1/analytics/gone-quiet']) {
      await get(a, path, { since: '2026-11-10T00:00:00Z', until: '2026-11-01T00:00:00Z' }).expect(400);
    }
    const g = await gql(t, a.token, `query($f: AnalyticsFilterInput) { replyAnalytics(filter: $f) { total { sent } } }`, { f: { since: '2026-11-10T00:00:00Z', until: '2026-11-01T00:00:00Z' } });
    expect(g.errors?.[0]?.message).toMatch(/until: must be after since/);
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const g2 = await gql(t, a.token, `query($f: AnalyticsFilterInput) { replyAnalytics(filter: $f) { total { sent } } }`, { f: { rule: 'nope' } });
    // rule is an enum over GraphQL: refused before the resolver, naming the value and the field.
    expect(g2.errors?.[0]?.message).toMatch(/"nope" does not exist in "Rule" enum\. Invalid rule: rule must be one of: resume_follow_up, /);
    expect(g2.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('needs analytics:read', async () => {
    const key = await createApiKey(t, a, ['follow_ups:read']);
    const res = await request(t.http).get('/v1/analytics/replies').set('Authorization', `Bearer ${key.secret}`).expect(403);
    expect(res.body.detail).toMatch(/analytics:read/);
    const ok = await createApiKey(t, a, ['analytics:read']);
    await request(t.http).get('/v1/analytics/replies').query(NOV).set('Authorization', `Bearer ${ok.secret}`).expect(200);
  });

  it('tenants see only their own figures, over REST and GraphQL', async () => {
    const res = await get(b, '/v1/analytics/replies').expect(200);
    expect(res.body.total).toMatchObject({ sent: 1, replied: 1, medianSecondsToReply: 60 });
    // A's recruiter id means nothing in B.
    expect((await get(b, '/v1/analytics/replies', { recruiter: ritaId }).expect(200)).body.total).toMatchObject({ sent: 0, replied: 0, replyRate: null });
    expect((await get(b, '/v1/analytics/deliverability').expect(200)).body).toMatchObject({ settled: 1, sent: 1 });
    expect((await get(b, '/v1/analytics/outcomes').expect(200)).body.rules.find((r: { rule: string }) => r.rule === 'candidate_check_in')).toMatchObject({
      followedUp: { n: 1, hits: 1 },
      baseline: { n: 0 },
    });
    expect((await get(b, '/v1/analytics/gone-quiet').expect(200)).body.recruiters).toEqual([]);
    const bKey = await createApiKey(t, b, ['analytics:read']);
    const g = await gql<{ replyAnalytics: { total: { sent: number } } }>(t, bKey.secret, `query($f: AnalyticsFilterInput) { replyAnalytics(filter: $f) { total { sent } } }`, { f: NOV });
    expect(g.data?.replyAnalytics.total.sent).toBe(1);
    // And A still sees its own six.
    expect((await get(a, '/v1/analytics/replies').expect(200)).body.total.sent).toBe(6);
  });

  it('a check-in outcome counts an answer after the send, and for the baseline any answer within 21 days', async () => {
    const c = await signup(t);
    const z = api(t, c);
    const person = async (name: string) => (await z.post('/v1/candidates', { name, email: `${name.toLowerCase()}@mail.example` }).expect(201)).body.id as string;
    const [sent, answeredLate, held, heldQuiet] = [await person('Sent'), await person('Late'), await person('Held'), await person('Quiet')];
    at('2026-11-03T10:00:00Z');
    await followUp(c.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'email', to: { candidate: sent } });
    await followUp(c.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'sms', to: { candidate: answeredLate } });
    await followUp(c.tenantId, { rule: 'candidate_check_in', status: 'cancelled', to: { candidate: held }, reason: 'the candidate is no longer active' });
    await followUp(c.tenantId, { rule: 'candidate_check_in', status: 'skipped', to: { candidate: heldQuiet }, reason: 'nobody to send to: no email or phone' });
    at('2026-11-20T10:00:00Z'); // 17 days on: inside the 21
    await reply(c.tenantId, { candidate: sent }, 'email');
    await reply(c.tenantId, { candidate: held }, 'sms');
    at('2026-11-25T10:00:00Z'); // 22 days on: too late
    await reply(c.tenantId, { candidate: answeredLate }, 'sms');
    await reply(c.tenantId, { candidate: heldQuiet }, 'sms');
    at('2026-12-02T12:00:00Z');
    const rules = (await get(c, '/v1/analytics/outcomes').expect(200)).body.rules as { rule: string }[];
    expect(rules.find((r) => r.rule === 'candidate_check_in')).toMatchObject({ followedUp: { n: 2, hits: 1, rate: 0.5 }, baseline: { n: 2, hits: 1, rate: 0.5 } });
  });

  it('the first answer is kept on the follow-up, whichever is written first: the answer, the send, or a back-dated call', async () => {
    const c = await signup(t);
    const z = api(t, c);
    const who = (await z.post('/v1/candidates', { name: 'Zed Zee', email: 'zed@mail.example', status: 'inactive' }).expect(201)).body.id;
    const firstAnswer = async () =>
      withAdminDb(async (db) => (await db.query(`SELECT first_answer_at FROM follow_ups WHERE tenant_id = $1`, [c.tenantId])).rows[0]?.first_answer_at as Date | null);
    // The answer is stored (Dec 2 13:00) before the send of Dec 2 12:00 is recorded.
    at('2026-12-02T13:00:00Z');
    await reply(c.tenantId, { candidate: who }, 'email');
    at('2026-12-02T12:00:00Z');
    await followUp(c.tenantId, { rule: 'candidate_check_in', status: 'sent', channel: 'email', to: { candidate: who } });
    expect((await firstAnswer())?.toISOString()).toBe('2026-12-02T13:00:00.000Z');
    // A call logged afterwards, back-dated to 12:30, is the earlier answer.
    at('2026-12-02T14:00:00Z');
    await z.post('/v1/activities', { candidateId: who, kind: 'call', direction: 'in', summary: 'Zed called.', occurredAt: '2026-12-02T12:30:00Z' }).expect(201);
    expect((await firstAnswer())?.toISOString()).toBe('2026-12-02T12:30:00.000Z');
    // An outbound call is no answer; a later inbound text changes nothing.
    await z.post('/v1/activities', { candidateId: who, kind: 'call', direction: 'out', summary: 'Called Zed.', occurredAt: '2026-12-02T12:10:00Z' }).expect(201);
    await reply(c.tenantId, { candidate: who }, 'sms');
    expect((await firstAnswer())?.toISOString()).toBe('2026-12-02T12:30:00.000Z');
    at('2026-12-02T12:00:00Z');
  });

  // Last: it changes the data.
  it('erasure: an erased person stops counting by identity, their counts stay in the aggregates', async () => {
    const x = api(t, a);
    const before = (await get(a, '/v1/analytics/replies').expect(200)).body;
    const outcomesBefore = (await get(a, '/v1/analytics/outcomes').expect(200)).body;
    // c5 answered F6 by SMS; erase them.
    const erased = await x.post(`/v1/candidates/${ids.c5}/erase`).expect(200);
    expect(erased.status).toBe(200);
    const after = (await get(a, '/v1/analytics/replies').expect(200)).body;
    expect(after.total).toEqual(before.total);
    expect(after.byRule).toEqual(before.byRule);
    expect((await get(a, '/v1/analytics/outcomes').expect(200)).body.rules).toEqual(outcomesBefore.rules);
    // Their messages keep their counts but not their words.
    const rows = await withAdminDb(async (c) => (await c.query(`SELECT body FROM messages WHERE tenant_id = $1 AND candidate_id = $2`, [a.tenantId, ids.c5])).rows);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.body === null)).toBe(true);
    // An erased candidate is nobody to chase: Rita now has c6 (quiet) and c7.
    const quiet = (await get(a, '/v1/analytics/gone-quiet').expect(200)).body;
    expect(quiet.recruiters).toEqual([
      { recruiterId: ritaId, recruiterName: 'Rita Recruiter', active: 2, quiet: 1 },
      { recruiterId: a.userId, recruiterName: 'Pat Admin', active: 1, quiet: 0 },
    ]);
  });
});
