import request from 'supertest';
import { ManualClock } from '../../src/common/clock';
import { bootTestApp, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

/** Issue 15: the cheap analytics gauges, summed across tenants by default and per tenant with METRICS_PER_TENANT=on. */
describe('analytics gauges on /metrics', () => {
  let t: TestApp;
  let a: SignedUp;
  const clock = new ManualClock('2031-03-03T12:00:00Z');

  beforeAll(async () => {
    t = await bootTestApp({ clock, env: { METRICS_PER_TENANT: 'on' } });
    a = await signup(t);
    const cand = (await request(t.http).post('/v1/candidates').set('Authorization', `Bearer ${a.token}`).send({ name: 'Gauge Gus', email: 'gus@mail.example', status: 'inactive' }).expect(201)).body.id;
    await withAdminDb(async (c) => {
      for (const [status, at] of [['sent', '2031-03-03T10:00:00Z'], ['sent', '2031-03-02T13:00:00Z'], ['skipped', '2031-03-03T11:00:00Z'], ['sent', '2031-03-01T10:00:00Z']] as const) {
        await c.query(
          `INSERT INTO follow_ups (tenant_id, rule, kind, dedupe_key, status, recipient_type, recipient_candidate_id, occurrence, channel, due_at, sent_at, created_at, updated_at)
           VALUES ($1, 'candidate_check_in', 'message', $2, $3, 'candidate', $4, 'once', 'sms', $5, $6, $5, $5)`,
          [a.tenantId, `test:gauge:${status}:${at}`, status, cand, at, status === 'sent' ? at : null],
        );
      }
      await c.query(
        `INSERT INTO messages (tenant_id, candidate_id, direction, channel, status, provider, body, reply_state, created_at, updated_at)
         VALUES ($1, $2, 'in', 'sms', 'received', 'twilio', 'hi', 'open', '2031-03-03T11:30:00Z', '2031-03-03T11:30:00Z')`,
        [a.tenantId, cand],
      );
    });
  });
  afterAll(async () => {
    await t.close();
  });

  it('per tenant: the last day’s settled follow-ups by status and inbound messages by channel', async () => {
    const res = await request(t.http).get('/metrics').expect(200);
    // In the last day (from Mar 2 12:00): two sent, one skipped; the send of Mar 1 is older.
    expect(res.text).toContain(`touchpoint_follow_ups_settled_24h{tenant="${a.tenantId}",status="sent"} 2`);
    expect(res.text).toContain(`touchpoint_follow_ups_settled_24h{tenant="${a.tenantId}",status="skipped"} 1`);
    expect(res.text).toContain(`touchpoint_inbound_messages_24h{tenant="${a.tenantId}",channel="sms"} 1`);
  });

  it('by default: summed across tenants, and no tenant id in /metrics', async () => {
    const other = await bootTestApp({ clock });
    try {
      const res = await request(other.http).get('/metrics').expect(200);
      expect(res.text).toMatch(/touchpoint_follow_ups_settled_24h\{status="sent"\} \d+/);
      expect(res.text).not.toContain(a.tenantId);
    } finally {
      await other.close();
    }
  });
});
