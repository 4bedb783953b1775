import request from 'supertest';
import { EventLog } from '../pipeline/pipeline-support';
import {
  accountSid,
  authToken,
  createCandidate,
  inboundSms,
  phone,
  PUBLIC_URL,
  serviceSid,
  twilioSid,
  twilioSignature,
  useOwnTwilio,
} from '../messaging/messaging-support';
import { bootTestApp, signup, TestApp, withAdminDb } from '../support/test-app';

/**
 * Webhook replay storm: Twilio retries, a load balancer duplicates, a proxy replays. The same
 * 100 inbound messages each arrive 5 times, all 500 posts in flight at once, each signed exactly
 * as Twilio signs. Every post is answered 2xx (Twilio would otherwise retry again), and each
 * MessageSid is stored once, with its effects (message.received) once.
 */
describe('chaos: webhook replay storm', () => {
  const MESSAGES = 100;
  const COPIES = 5;
  let t: TestApp;
  let log: EventLog;
  let base: string;

  beforeAll(async () => {
    t = await bootTestApp({ env: { PUBLIC_URL } });
    log = new EventLog(t);
    // One listening server for the whole storm (supertest would otherwise bind one per request).
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
  });
  afterAll(async () => {
    log.close();
    await t.close();
  });

  it('100 inbound SMS, each posted 5 times concurrently: 500 answers 2xx, 100 rows, each MessageSid once', async () => {
    const firm = await signup(t, { firmName: 'Storm Staffing' });
    const token = authToken();
    const account = accountSid();
    await useOwnTwilio(t, firm, { accountSid: account, authToken: token, messagingServiceSid: serviceSid() });
    const candidatePhone = phone();
    const candidateId = await createCandidate(t, firm, { phone: candidatePhone });
    const path = `/v1/webhooks/twilio/${firm.webhookKey}/inbound`;

    // Half from the candidate, half from senders the firm does not know (kept as unmatched).
    const forms = Array.from({ length: MESSAGES }, (_, i) =>
      inboundSms({ MessageSid: twilioSid(), AccountSid: account, From: i % 2 === 0 ? candidatePhone : `+1415666${String(1000 + i).padStart(4, '0')}`, Body: `Reply number ${i}: sounds good` }),
    );
    const posts = forms.flatMap((form) => Array.from({ length: COPIES }, () => form));
    // Interleave the copies so duplicates of one SID race each other and the other SIDs.
    for (let i = posts.length - 1; i > 0; i -= 1) {
      const j = Math.floor(Math.random() * (i + 1));
      [posts[i], posts[j]] = [posts[j]!, posts[i]!];
    }

    const answers = await Promise.all(
      posts.map((form) =>
        request(base)
          .post(path)
          .set('Content-Type', 'application/x-www-form-urlencoded')
          .set('User-Agent', 'TwilioProxy/1.1')
          .set('X-Twilio-Signature', twilioSignature(token, path, form))
          .send(new URLSearchParams(form).toString())
          .then((res) => ({ status: res.status, type: String(res.headers['content-type'] ?? ''), sid: form.MessageSid })),
      ),
    );

    const notOk = answers.filter((a) => a.status < 200 || a.status > 299);
    expect(notOk).toEqual([]);
    expect(answers).toHaveLength(MESSAGES * COPIES);
    expect(answers.every((a) => a.type.startsWith('text/xml'))).toBe(true);

    const stored = await withAdminDb(async (c) =>
      (
        await c.query<{ provider_id: string; n: number; candidate_id: string | null }>(
          `SELECT provider_id, count(*)::int AS n, min(candidate_id::text) AS candidate_id
             FROM messages WHERE tenant_id = $1 AND direction = 'in' GROUP BY provider_id`,
          [firm.tenantId],
        )
      ).rows,
    );
    expect(stored).toHaveLength(MESSAGES);
    expect(stored.filter((r) => r.n !== 1)).toEqual([]);
    expect(stored.map((r) => r.provider_id).sort()).toEqual(forms.map((f) => f.MessageSid).sort());
    // Matching survived the storm: the candidate's 50 are theirs, the rest unmatched.
    const bySid = new Map(stored.map((r) => [r.provider_id, r.candidate_id]));
    expect(forms.filter((f, i) => bySid.get(f.MessageSid!) !== (i % 2 === 0 ? candidateId : null))).toEqual([]);

    // Only the winning insert of each SID had effects.
    const received = log.of(firm.tenantId, 'message.received');
    expect(received).toHaveLength(MESSAGES);
  });
});
