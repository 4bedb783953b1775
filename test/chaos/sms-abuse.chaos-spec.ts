import { ManualClock } from '../../src/common/clock';
import { DispatcherService } from '../../src/follow-ups/dispatch/dispatcher.service';
import { createCandidate } from '../messaging/messaging-support';
import { api } from '../pipeline/pipeline-support';
import { FakeTwilioServer } from '../support/fake-twilio.server';
import { bootTestApp, gql, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';

// This suite runs the cross-tenant dispatcher: it gets a database of its own.
useIsolatedDatabase();

const NOW = '2026-12-01T15:00:00Z'; // a Tuesday, 15:00 in the firms' zone (UTC): inside the SMS window
const TOMORROW = '2026-12-02T15:00:00Z';

interface Firm {
  who: SignedUp;
  accountSid: string;
  from: string;
  phones: string[];
  candidateIds: string[];
}

/**
 * SMS abuse: one firm (a compromised key, a runaway integration) spams the one-off SMS mutation.
 * Its texts stop at its own daily cap and the rest wait for tomorrow; the other firms, sharing
 * the dispatcher, get their texts out at their own senders' pace as if nothing happened. What
 * the Twilio-speaking server received, per account, is the proof.
 */
describe('chaos: SMS abuse by one tenant', () => {
  const twilio = new FakeTwilioServer();
  const clock = new ManualClock(NOW);
  let t: TestApp;
  let dispatcher: DispatcherService;

  beforeAll(async () => {
    const { url } = await twilio.start();
    t = await bootTestApp({ clock, env: { SCHEDULER: 'off', TWILIO_API_URL: url } });
    dispatcher = t.app.get(DispatcherService);
  });
  afterAll(async () => {
    await t.close();
    await twilio.stop();
  });

  async function firm(n: number, name: string, people: number, smsDailyCap?: number): Promise<Firm> {
    const who = await signup(t, { firmName: name });
    const accountSid = `AC${String(n).repeat(32)}`;
    const token = `auth-token-of-firm-${n}-0123456789abcdef`;
    const from = `+1415555020${n}`;
    twilio.addAccount(accountSid, token);
    await api(t, who).put('/v1/settings/senders', { twilioAccountSid: accountSid, twilioAuthToken: token, twilioFrom: from }).expect(200);
    if (smsDailyCap !== undefined) {
      const set = await gql<{ updateSendingSettings: { smsDailyCap: number } }>(t, who.token, `mutation { updateSendingSettings(smsDailyCap: ${smsDailyCap}) }`);
      expect(set.data?.updateSendingSettings.smsDailyCap).toBe(smsDailyCap);
    }
    const phones = Array.from({ length: people }, (_, i) => `+1415555${n}${String(100 + i)}`);
    const candidateIds: string[] = [];
    for (const phone of phones) candidateIds.push(await createCandidate(t, who, { name: `Texted Person ${n}-${phone.slice(-4)}`, phone }));
    return { who, accountSid, from, phones, candidateIds };
  }

  const SEND_SMS = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { followUpId channel goesOutAt } }`;

  async function sendSms(f: Firm, i: number): Promise<string> {
    const candidateId = f.candidateIds[i % f.candidateIds.length]!;
    const text = `Message ${i} from ${f.from}`;
    // The abuser uses both transports; both lead to the same use case.
    if (i % 4 === 3) {
      const res = await api(t, f.who).post('/v1/messages', { candidateId, channel: 'sms', text });
      expect([res.status, res.body.channel]).toEqual([202, 'sms']);
      return res.body.followUpId as string;
    }
    const res = await gql<{ sendMessage: { followUpId: string; channel: string } }>(t, f.who.token, SEND_SMS, { input: { candidateId, channel: 'sms', text } });
    expect(res.errors).toBeUndefined();
    expect(res.data?.sendMessage.channel).toBe('sms');
    return res.data!.sendMessage.followUpId;
  }

  /**
   * Runs the dispatcher on the manual clock, moving it to each next due time (rate-limit slots
   * included), until nothing is due within `horizonSeconds` of where it started.
   */
  async function dispatchFor(horizonSeconds: number): Promise<void> {
    const horizon = clock.now().getTime() + horizonSeconds * 1000;
    for (let pass = 0; pass < 1000; pass += 1) {
      await dispatcher.drain();
      const next = await withAdminDb(async (c) =>
        (
          await c.query<{ due: Date | null; sending: number }>(
            `SELECT min(due_at) FILTER (WHERE status = 'planned') AS due, count(*) FILTER (WHERE status = 'sending')::int AS sending FROM follow_ups`,
          )
        ).rows[0]!,
      );
      if (next.sending > 0) {
        clock.advance(250);
        continue;
      }
      if (next.due === null || next.due.getTime() > horizon) return;
      if (next.due.getTime() > clock.now().getTime()) clock.set(next.due);
    }
    throw new Error('the dispatcher did not settle');
  }

  const receivedBy = (f: Firm) => twilio.messages.filter((m) => m.accountSid === f.accountSid);

  async function rowsOf(f: Firm): Promise<{ status: string; n: number; reason: string | null; due: Date }[]> {
    return withAdminDb(async (c) =>
      (
        await c.query(
          `SELECT status, count(*)::int AS n, min(reason) AS reason, min(due_at) AS due FROM follow_ups
            WHERE tenant_id = $1 AND rule = 'one_off' GROUP BY status ORDER BY status`,
          [f.who.tenantId],
        )
      ).rows,
    );
  }

  it('the spammer stops at its daily cap; the other tenants get every text, at their own sender rate', async () => {
    const spammer = await firm(1, 'Spammy Staffing', 8, 5);
    const capped = await firm(2, 'Careful Careers', 3, 5); // the same cap, its own count
    const quiet = await firm(3, 'Quiet Recruiting', 3); // the default cap

    // 60 one-off SMS from the spammer, all at once, then the others' ordinary traffic.
    const spam = await Promise.all(Array.from({ length: 60 }, (_, i) => sendSms(spammer, i)));
    expect(new Set(spam).size).toBe(60);
    const requestedAt = clock.now().getTime();
    for (const f of [capped, quiet]) for (let i = 0; i < 3; i += 1) await sendSms(f, i);

    await dispatchFor(120);

    // Twilio received exactly the cap from the spammer, from its own account and number...
    expect(receivedBy(spammer)).toHaveLength(5);
    expect(receivedBy(spammer).every((m) => m.From === spammer.from && spammer.phones.includes(m.To ?? ''))).toBe(true);
    // ...and every text of the others, to the right people.
    for (const f of [capped, quiet]) {
      const got = receivedBy(f);
      expect(got.map((m) => [m.From, m.To]).sort()).toEqual(f.phones.map((p) => [f.from, p]).sort());
      expect(got.every((m) => /^Message \d from /.test(m.Body ?? ''))).toBe(true);
    }
    expect(twilio.messages).toHaveLength(5 + 3 + 3);

    // On time: the others' texts went out within their own sender's rate (1 a second), on the
    // manual clock, not after the spammer's backlog (60 s of it at that rate).
    for (const f of [capped, quiet]) {
      const sentAt = await withAdminDb(async (c) =>
        (await c.query(`SELECT sent_at FROM follow_ups WHERE tenant_id = $1 AND rule = 'one_off' AND status = 'sent' ORDER BY sent_at`, [f.who.tenantId])).rows.map(
          (r) => (r.sent_at as Date).getTime() - requestedAt,
        ),
      );
      expect(sentAt).toHaveLength(3);
      expect(sentAt[2]!).toBeLessThanOrEqual(3000);
    }

    // The spammer's rest waits for tomorrow's window, saying why; nothing failed or was lost.
    const rows = await rowsOf(spammer);
    expect(rows.map((r) => [r.status, r.n])).toEqual([
      ['planned', 55],
      ['sent', 5],
    ]);
    const waiting = rows.find((r) => r.status === 'planned')!;
    expect(waiting.reason).toMatch(/daily SMS cap \(5\) is reached/);
    expect(waiting.due.getTime()).toBeGreaterThanOrEqual(new Date('2026-12-02T08:00:00Z').getTime());
    const usage = await withAdminDb(async (c) =>
      (await c.query(`SELECT tenant_id, sent FROM sms_daily_usage WHERE day = '2026-12-01'`)).rows.map((r) => [r.tenant_id as string, r.sent as number]),
    );
    expect(usage.sort()).toEqual(
      [
        [spammer.who.tenantId, 5],
        [capped.who.tenantId, 3],
        [quiet.who.tenantId, 3],
      ].sort(),
    );

    // The next day the backlog trickles out at the cap again, not all at once; the others still flow.
    twilio.reset();
    clock.set(TOMORROW);
    for (const f of [capped, quiet]) await sendSms(f, 7);
    await dispatchFor(120);
    expect(receivedBy(spammer)).toHaveLength(5);
    expect(receivedBy(capped)).toHaveLength(1);
    expect(receivedBy(quiet)).toHaveLength(1);
    expect((await rowsOf(spammer)).map((r) => [r.status, r.n])).toEqual([
      ['planned', 50],
      ['sent', 10],
    ]);
  }, 180_000);
});
