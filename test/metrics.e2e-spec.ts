import request from 'supertest';
import { bootTestApp, signup, TestApp } from './support/test-app';

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves Prometheus text: HTTP latency, follow-ups by status and rule, dispatcher lag, messages', async () => {
    const a = await signup(t);
    await request(t.http).post('/v1/candidates').set('Authorization', `Bearer ${a.token}`).send({ name: 'Metric Mae', email: 'mae@example.com' }).expect(201);
    const res = await request(t.http).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toMatch(/touchpoint_http_request_duration_seconds_bucket\{.*route="\/v1\/candidates".*status="201"/);
    expect(res.text).toMatch(/touchpoint_follow_ups\{status="planned",rule="candidate_check_in"\} \d+/);
    expect(res.text).toMatch(/touchpoint_dispatch_lag_seconds \d/);
    expect(res.text).toMatch(/touchpoint_process_resident_memory_bytes/);
    // Counts only: no tenant's data leaks into metrics.
    expect(res.text).not.toContain('mae@example.com');
    expect(res.text).not.toContain(a.tenantId);
  });
});
