import { ManualClock } from '../../src/common/clock';
import { asTenantId } from '../../src/database/tenant-id';
import { verifyWebhook } from '../../src/webhooks/signature';
import { WebhookDeliveryWorker } from '../../src/webhooks/webhook-delivery.worker';
import { api } from '../pipeline/pipeline-support';
import { bootTestApp, countRows, createApiKey, gql, signup, SignedUp, TestApp, useIsolatedDatabase, withAdminDb } from '../support/test-app';
import { WebhookReceiver } from './receiver';

// The delivery worker is cross-tenant: this file gets a database of its own, so its drains never
// send other suites' deliveries, and no other suite sends these.
useIsolatedDatabase();

const ENV = { SCHEDULER: 'off', WEBHOOK_TIMEOUT_MS: '300', WEBHOOK_LEASE_SECONDS: '30' };

async function subscribe(t: TestApp, who: SignedUp, url: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
  const res = await api(t, who).post('/v1/webhook-subscriptions', { url, eventTypes }).expect(201);
  expect(res.body.secret).toMatch(/^whsec_/);
  return { id: res.body.subscription.id, secret: res.body.secret };
}

async function deliveriesOf(t: TestApp, who: SignedUp, subscriptionId: string) {
  return (await api(t, who).get(`/v1/webhook-subscriptions/${subscriptionId}/deliveries`).expect(200)).body.items as {
    id: string;
    eventId: string;
    eventType: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
    log: { attempt: number; statusCode: number | null; latencyMs: number; error: string | null }[];
  }[];
}

describe('signed webhooks out', () => {
  let t: TestApp;
  let clock: ManualClock;
  let worker: WebhookDeliveryWorker;
  const rx = new WebhookReceiver();

  beforeAll(async () => {
    clock = new ManualClock(new Date());
    t = await bootTestApp({ clock, env: ENV });
    worker = t.app.get(WebhookDeliveryWorker);
    await rx.start();
  });
  afterAll(async () => {
    await t.close();
    await rx.stop();
  });

  it('delivers candidate.created, lead.status_changed and interview.scheduled after the real changes, signed', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/events`, ['candidate.*', 'lead.status_changed', 'interview.*']);
    const candidateId = (await api(t, a).post('/v1/candidates', { name: 'Jane Doe', email: 'jane.doe@example.com' }).expect(201)).body.id as string;
    const leadId = (await api(t, a).post('/v1/leads', { candidateId, company: 'Globex', position: 'Engineer' }).expect(201)).body.id as string;
    await api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'applied' }).expect(200);
    const startsAt = new Date(clock.now().getTime() + 3 * 86_400_000).toISOString();
    const interviewId = (await api(t, a).post('/v1/interviews', { leadId, startsAt, durationMinutes: 30, format: 'video' }).expect(201)).body.id as string;
    // A contact is not subscribed: its event is in the outbox, but no delivery is queued for it.
    await api(t, a).post('/v1/contacts', { name: 'Ann Employer', email: 'ann@globex.example.com' }).expect(201);

    // The outbox row was written with the change (same transaction), before any worker ran.
    expect(await countRows('outbox_events', `tenant_id = $1 AND type = 'candidate.created'`, [a.tenantId])).toBe(1);
    expect(await countRows('outbox_events', `tenant_id = $1 AND type = 'contact.created'`, [a.tenantId])).toBe(1);
    expect(await countRows('webhook_deliveries', `tenant_id = $1 AND status = 'pending'`, [a.tenantId])).toBe(3);

    await worker.drain();
    const mine = rx.received.filter((r) => r.path === '/events');
    expect(mine.map((r) => r.json.type).sort()).toEqual(['candidate.created', 'interview.scheduled', 'lead.status_changed']);
    const created = rx.of('candidate.created', '/events')[0]!;
    expect(created.json).toMatchObject({ type: 'candidate.created', apiVersion: '2026-11-01', data: { candidateId } });
    expect(JSON.stringify(created.json)).not.toContain(a.tenantId);
    expect(rx.of('lead.status_changed', '/events')[0]!.json.data).toMatchObject({ leadId, candidateId, from: 'identified', to: 'applied' });
    expect(rx.of('interview.scheduled', '/events')[0]!.json.data).toMatchObject({ interviewId, leadId, startsAt });

    for (const r of mine) {
      expect(r.headers['content-type']).toBe('application/json');
      expect(r.headers['touchpoint-event-id']).toBe(r.json.id);
      const ts = r.headers['touchpoint-timestamp'] as string;
      const sig = r.headers['touchpoint-signature'] as string;
      expect(sig).toMatch(/^v1=[0-9a-f]{64}$/);
      expect(verifyWebhook(sub.secret, ts, r.body, sig)).toBe(true);
      expect(verifyWebhook(sub.secret, ts, r.body.replace('"data":{', '"data":{"x":1,'), sig)).toBe(false);
      expect(verifyWebhook(sub.secret, String(Number(ts) + 1), r.body, sig)).toBe(false);
      expect(verifyWebhook('whsec_wrong', ts, r.body, sig)).toBe(false);
    }
    // The event id is the outbox row's id.
    expect(await countRows('outbox_events', 'tenant_id = $1 AND id = $2', [a.tenantId, created.json.id])).toBe(1);
    const log = await deliveriesOf(t, a, sub.id);
    expect(log.map((d) => d.status)).toEqual(['delivered', 'delivered', 'delivered']);
    expect(log.every((d) => d.log.length === 1 && d.log[0]!.statusCode === 200)).toBe(true);
    // The secret is stored encrypted, not in the clear.
    const stored = await withAdminDb(async (c) => (await c.query('SELECT secret_encrypted FROM webhook_subscriptions WHERE id = $1', [sub.id])).rows[0].secret_encrypted as string);
    expect(stored).toMatch(/^v2\.[0-9a-f]{8}\./);
    expect(stored).not.toContain(sub.secret);
  });

  it('subscribed to *, a receiver gets each catalog type after its real change, in one delivery each', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/all`, ['*']);
    const day = (n: number): string => new Date(clock.now().getTime() + n * 86_400_000).toISOString();
    const candidateId = (await api(t, a).post('/v1/candidates', { name: 'All Events', email: 'all.events@example.com' }).expect(201)).body.id as string;
    await api(t, a).patch(`/v1/candidates/${candidateId}`, { phone: '+14155550199' }).expect(200);
    const contactId = (await api(t, a).post('/v1/contacts', { name: 'Hank Manager', email: 'hank@globex.example.com' }).expect(201)).body.id as string;
    await api(t, a).patch(`/v1/contacts/${contactId}`, { title: 'CTO' }).expect(200);
    const leadId = (await api(t, a).post('/v1/leads', { candidateId, company: 'Globex', position: 'Engineer' }).expect(201)).body.id as string;
    await api(t, a).post(`/v1/leads/${leadId}/status`, { status: 'applied' }).expect(200);
    const schedule = async (n: number): Promise<string> =>
      (await api(t, a).post('/v1/interviews', { leadId, startsAt: day(n), durationMinutes: 30, format: 'phone' }).expect(201)).body.id as string;
    const i1 = await schedule(2);
    await api(t, a).post(`/v1/interviews/${i1}/reschedule`, { startsAt: day(3) }).expect(200);
    await api(t, a).post(`/v1/interviews/${i1}/confirm`).expect(200);
    await api(t, a).post(`/v1/interviews/${i1}/complete`).expect(200);
    await api(t, a).post(`/v1/interviews/${await schedule(4)}/cancel`, { reason: 'filled' }).expect(200);
    await api(t, a).post(`/v1/interviews/${await schedule(5)}/no-show`).expect(200);
    await api(t, a).put(`/v1/candidates/${candidateId}/consent`, { channel: 'email', status: 'opted_out' }).expect(200);
    await api(t, a).delete(`/v1/contacts/${contactId}`).expect(204);
    await api(t, a).delete(`/v1/candidates/${candidateId}`).expect(204);

    await worker.drain();
    const types = rx.received.filter((r) => r.path === '/all').map((r) => r.json.type);
    for (const type of [
      'candidate.created', 'candidate.updated', 'candidate.deleted', 'contact.created', 'contact.updated', 'contact.deleted',
      'lead.status_changed', 'interview.scheduled', 'interview.rescheduled', 'interview.confirmed', 'interview.completed',
      'interview.cancelled', 'interview.no_show', 'consent.changed',
    ]) {
      expect([type, types.includes(type)]).toEqual([type, true]);
    }
    // Not in the catalog: lead.created, interview.updated, … are not delivered.
    expect(types).not.toContain('lead.created');
    // Exactly one delivery per event, each signed, ids unique.
    const ids = rx.received.filter((r) => r.path === '/all').map((r) => r.json.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(await countRows('webhook_deliveries', `tenant_id = $1 AND subscription_id = $2 AND status = 'delivered'`, [a.tenantId, sub.id])).toBe(ids.length);
    const consent = rx.of('consent.changed', '/all')[0]!;
    expect(consent.json.data).toMatchObject({ person: { type: 'candidate', id: candidateId }, channel: 'email', status: 'opted_out' });
    expect(rx.of('interview.rescheduled', '/all')[0]!.json.data).toMatchObject({ interviewId: i1, newStartsAt: day(3) });
    for (const r of rx.received.filter((x) => x.path === '/all')) {
      expect(verifyWebhook(sub.secret, r.headers['touchpoint-timestamp'] as string, r.body, r.headers['touchpoint-signature'] as string)).toBe(true);
      expect(r.body).not.toContain(a.tenantId);
    }
  });

  it('a rolled-back change writes no outbox row', async () => {
    const a = await signup(t);
    await subscribe(t, a, `${rx.url}/rollback`, ['*']);
    // An unknown owner is refused before anything is written.
    await api(t, a).post('/v1/candidates', { name: 'No One', ownerUserId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(await countRows('outbox_events', 'tenant_id = $1', [a.tenantId])).toBe(0);
  });

  it('500 twice then 200: delivered once, and the log shows 3 attempts', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/flaky`, ['candidate.created']);
    rx.answer(500, 500);
    await api(t, a).post('/v1/candidates', { name: 'Flaky Receiver' }).expect(201);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/flaky')).toHaveLength(1);
    let [d] = await deliveriesOf(t, a, sub.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500 });
    // Not due yet: nothing is re-sent before the backoff has passed.
    clock.advance(30_000);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/flaky')).toHaveLength(1);
    clock.advance(5 * 60_000);
    await worker.drain();
    clock.advance(5 * 60_000);
    await worker.drain();
    const hits = rx.received.filter((r) => r.path === '/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers['touchpoint-event-id'])).size).toBe(1);
    [d] = await deliveriesOf(t, a, sub.id);
    expect(d!.status).toBe('delivered');
    expect(d!.log.map((l) => [l.attempt, l.statusCode])).toEqual([[1, 500], [2, 500], [3, 200]]);
    expect(d!.log.every((l) => typeof l.latencyMs === 'number' && l.latencyMs >= 0)).toBe(true);
    clock.advance(60 * 60_000);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/flaky')).toHaveLength(3);
  });

  it('a receiver that times out is retried', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/slow`, ['candidate.created']);
    rx.answer('hang');
    await api(t, a).post('/v1/candidates', { name: 'Slow Receiver' }).expect(201);
    await worker.drain();
    let [d] = await deliveriesOf(t, a, sub.id);
    expect(d).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: null });
    expect(d!.log[0]!.error).toMatch(/no answer within 300 ms/);
    clock.advance(5 * 60_000);
    await worker.drain();
    [d] = await deliveriesOf(t, a, sub.id);
    expect(d!.status).toBe('delivered');
    expect(d!.log.map((l) => l.statusCode)).toEqual([null, 200]);
    expect(rx.received.filter((r) => r.path === '/slow')).toHaveLength(2);
  });

  it('a worker that crashed between claim and send: delivered after the lease expires', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/crash`, ['candidate.created']);
    await api(t, a).post('/v1/candidates', { name: 'Crash Test' }).expect(201);
    // Another worker claims the delivery and dies before sending.
    const claimed = await withAdminDb(async (c) =>
      (await c.query(`SELECT * FROM claim_due_webhook_deliveries($1, 100, 100, '30 seconds'::interval, 'crashed-worker')`, [clock.now()])).rows as { tenant_id: string }[],
    );
    expect(claimed.filter((r) => r.tenant_id === a.tenantId)).toHaveLength(1);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/crash')).toHaveLength(0);
    clock.advance(31_000);
    const stats = await worker.drain();
    expect(stats.recovered).toBeGreaterThanOrEqual(1);
    expect(rx.received.filter((r) => r.path === '/crash')).toHaveLength(1);
    const [d] = await deliveriesOf(t, a, sub.id);
    expect(d).toMatchObject({ status: 'delivered', attempts: 1 });
    expect(d!.log).toHaveLength(1);
  });

  it('only the holder of a claim sends it: another worker given the row sends nothing and records nothing', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/holder`, ['candidate.created']);
    await api(t, a).post('/v1/candidates', { name: 'Held Elsewhere' }).expect(201);
    const [row] = await withAdminDb(async (c) =>
      (await c.query(`SELECT * FROM claim_due_webhook_deliveries($1, 100, 100, '30 seconds'::interval, 'other-worker')`, [clock.now()])).rows.filter(
        (r: { tenant_id: string }) => r.tenant_id === a.tenantId,
      ),
    );
    expect(await worker.deliver(asTenantId(a.tenantId), row.id, row.attempts)).toBe('lost');
    expect(rx.received.filter((r) => r.path === '/holder')).toHaveLength(0);
    const [d] = await deliveriesOf(t, a, sub.id);
    expect(d).toMatchObject({ status: 'sending', log: [] });
    clock.advance(31_000);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/holder')).toHaveLength(1);
  });

  it('sends a test event and redelivers on demand, with the same event id', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/manual`, ['consent.changed']);
    const queued = await api(t, a).post(`/v1/webhook-subscriptions/${sub.id}/test`).expect(202);
    expect(queued.body).toMatchObject({ status: 'pending', eventType: 'webhook.test', subscriptionId: sub.id });
    await worker.drain();
    const first = rx.received.filter((r) => r.path === '/manual');
    expect(first).toHaveLength(1);
    expect(first[0]!.json).toMatchObject({ type: 'webhook.test', data: { subscriptionId: sub.id } });
    expect(verifyWebhook(sub.secret, first[0]!.headers['touchpoint-timestamp'] as string, first[0]!.body, first[0]!.headers['touchpoint-signature'] as string)).toBe(true);

    const again = await api(t, a).post(`/v1/webhook-deliveries/${queued.body.id}/redeliver`).expect(202);
    expect(again.body).toMatchObject({ id: queued.body.id, status: 'pending' });
    await worker.drain();
    const hits = rx.received.filter((r) => r.path === '/manual');
    expect(hits).toHaveLength(2);
    expect(hits[1]!.json.id).toBe(hits[0]!.json.id);
    const [d] = await deliveriesOf(t, a, sub.id);
    expect(d!.log.map((l) => l.attempt)).toEqual([1, 2]);

    // The same over GraphQL.
    const g = await gql<{ sendTestWebhook: { id: string; status: string } }>(t, a.token, `mutation($id: ID!) { sendTestWebhook(id: $id) { id status eventType } }`, { id: sub.id });
    expect(g.errors).toBeUndefined();
    await worker.drain();
    const r = await gql<{ redeliverWebhook: { status: string } }>(t, a.token, `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { status } }`, { id: g.data!.sendTestWebhook.id });
    expect(r.data?.redeliverWebhook.status).toBe('pending');
    await worker.drain();
    expect(rx.received.filter((x) => x.path === '/manual')).toHaveLength(4);
  });

  it('a paused subscription holds its deliveries and receives nothing new; resuming sends what was held', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/paused`, ['candidate.created']);
    await api(t, a).post('/v1/candidates', { name: 'Before Pause' }).expect(201);
    await api(t, a).patch(`/v1/webhook-subscriptions/${sub.id}`, { status: 'paused' }).expect(200);
    await api(t, a).post('/v1/candidates', { name: 'During Pause' }).expect(201);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/paused')).toHaveLength(0);
    await api(t, a).patch(`/v1/webhook-subscriptions/${sub.id}`, { status: 'active' }).expect(200);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/paused')).toHaveLength(1);
  });

  it('manages subscriptions over GraphQL', async () => {
    const a = await signup(t);
    const created = await gql<{ createWebhookSubscription: { secret: string; subscription: { id: string; status: string; eventTypes: string[] } } }>(
      t,
      a.token,
      `mutation($input: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $input) { secret subscription { id url status eventTypes } } }`,
      { input: { url: `${rx.url}/gql`, eventTypes: ['lead.status_changed'] } },
    );
    expect(created.errors).toBeUndefined();
    const id = created.data!.createWebhookSubscription.subscription.id;
    expect(created.data!.createWebhookSubscription.secret).toMatch(/^whsec_/);
    const upd = await gql<{ updateWebhookSubscription: { eventTypes: string[]; status: string } }>(
      t,
      a.token,
      `mutation($id: ID!) { updateWebhookSubscription(id: $id, input: { eventTypes: ["interview.*"], status: paused }) { eventTypes status } }`,
      { id },
    );
    expect(upd.data?.updateWebhookSubscription).toEqual({ eventTypes: ['interview.*'], status: 'paused' });
    const list = await gql<{ webhookSubscriptions: { id: string }[]; webhookDeliveries: { items: unknown[] } }>(
      t,
      a.token,
      `query($id: ID!) { webhookSubscriptions { id } webhookDeliveries(subscriptionId: $id, first: 10) { items { id } nextCursor } }`,
      { id },
    );
    expect(list.data?.webhookSubscriptions.map((s) => s.id)).toEqual([id]);
    expect(list.data?.webhookDeliveries.items).toEqual([]);
    const del = await gql(t, a.token, `mutation($id: ID!) { deleteWebhookSubscription(id: $id) }`, { id });
    expect(del.data).toEqual({ deleteWebhookSubscription: true });
    expect(await countRows('webhook_subscriptions', 'tenant_id = $1', [a.tenantId])).toBe(0);
  });

  it('another tenant sees nothing of a subscription or its deliveries (REST and GraphQL)', async () => {
    const a = await signup(t);
    const b = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/cross`, ['candidate.created']);
    const delivery = (await api(t, a).post(`/v1/webhook-subscriptions/${sub.id}/test`).expect(202)).body.id as string;
    await worker.drain();
    const rest: [string, () => Promise<{ status: number }>][] = [
      ['get', () => api(t, b).get(`/v1/webhook-subscriptions/${sub.id}`)],
      ['patch', () => api(t, b).patch(`/v1/webhook-subscriptions/${sub.id}`, { status: 'paused' })],
      ['delete', () => api(t, b).delete(`/v1/webhook-subscriptions/${sub.id}`)],
      ['test', () => api(t, b).post(`/v1/webhook-subscriptions/${sub.id}/test`)],
      ['deliveries', () => api(t, b).get(`/v1/webhook-subscriptions/${sub.id}/deliveries`)],
      ['redeliver', () => api(t, b).post(`/v1/webhook-deliveries/${delivery}/redeliver`)],
    ];
    for (const [name, call] of rest) {
      const res = await call();
      expect([name, res.status]).toEqual([name, 404]);
    }
    expect((await api(t, b).get('/v1/webhook-subscriptions').expect(200)).body.items).toEqual([]);
    const gqlCalls: [string, string, Record<string, unknown>][] = [
      ['webhookSubscription', `query($id: ID!) { webhookSubscription(id: $id) { id } }`, { id: sub.id }],
      ['webhookDeliveries', `query($id: ID!) { webhookDeliveries(subscriptionId: $id) { items { id } } }`, { id: sub.id }],
      ['update', `mutation($id: ID!) { updateWebhookSubscription(id: $id, input: { status: paused }) { id } }`, { id: sub.id }],
      ['delete', `mutation($id: ID!) { deleteWebhookSubscription(id: $id) }`, { id: sub.id }],
      ['test', `mutation($id: ID!) { sendTestWebhook(id: $id) { id } }`, { id: sub.id }],
      ['redeliver', `mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { id } }`, { id: delivery }],
    ];
    for (const [name, query, vars] of gqlCalls) {
      const res = await gql(t, b.token, query, vars);
      expect([name, res.errors?.[0]?.extensions?.code]).toEqual([name, 'NOT_FOUND']);
    }
    expect((await gql<{ webhookSubscriptions: unknown[] }>(t, b.token, `{ webhookSubscriptions { id } }`)).data?.webhookSubscriptions).toEqual([]);
    // A's subscription is untouched, and B's changes queued nothing for A's receiver.
    expect((await api(t, a).get(`/v1/webhook-subscriptions/${sub.id}`).expect(200)).body.status).toBe('active');
    await api(t, b).post('/v1/candidates', { name: 'B Candidate' }).expect(201);
    await worker.drain();
    expect(rx.received.filter((r) => r.path === '/cross').map((r) => r.json.type)).toEqual(['webhook.test']);
  });

  it('refuses bad input on every route (REST and GraphQL) and checks scopes', async () => {
    const a = await signup(t);
    const sub = await subscribe(t, a, `${rx.url}/bad`, ['candidate.created']);
    const bad: [string, object][] = [
      ['no url', { eventTypes: ['candidate.created'] }],
      ['not a url', { url: 'not a url', eventTypes: ['candidate.created'] }],
      ['ftp', { url: 'ftp://127.0.0.1/x', eventTypes: ['candidate.created'] }],
      ['credentials', { url: 'http://u:p@127.0.0.1/x', eventTypes: ['candidate.created'] }],
      ['no types', { url: `${rx.url}/x`, eventTypes: [] }],
      ['unknown type', { url: `${rx.url}/x`, eventTypes: ['candidate.exploded'] }],
      ['not subscribable', { url: `${rx.url}/x`, eventTypes: ['api_key.created'] }],
      ['types not a list', { url: `${rx.url}/x`, eventTypes: 'candidate.created' }],
      ['tenantId', { url: `${rx.url}/x`, eventTypes: ['candidate.created'], tenantId: a.tenantId }],
      ['secret from client', { url: `${rx.url}/x`, eventTypes: ['candidate.created'], secret: 'mine' }],
    ];
    for (const [name, body] of bad) {
      const res = await api(t, a).post('/v1/webhook-subscriptions', body);
      expect([name, res.status]).toEqual([name, 400]);
    }
    for (const [name, body] of [
      ['status failing', { status: 'failing' }],
      ['bad url', { url: 'nope' }],
      ['bad types', { eventTypes: ['x.y'] }],
    ] as const) {
      const res = await api(t, a).patch(`/v1/webhook-subscriptions/${sub.id}`, body);
      expect([name, res.status]).toEqual([name, 400]);
    }
    await api(t, a).get('/v1/webhook-subscriptions/not-a-uuid').expect(404);
    await api(t, a).post('/v1/webhook-deliveries/not-a-uuid/redeliver').expect(404);
    await api(t, a).get(`/v1/webhook-subscriptions/${sub.id}/deliveries?limit=1000`).expect(400);
    await api(t, a).get(`/v1/webhook-subscriptions/${sub.id}/deliveries?cursor=%21`).expect(400);
    expect(await countRows('webhook_subscriptions', 'tenant_id = $1', [a.tenantId])).toBe(1);

    const g = await gql(t, a.token, `mutation { createWebhookSubscription(input: { url: "${rx.url}/x", eventTypes: ["nope"] }) { secret } }`);
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const g2 = await gql(t, a.token, `mutation { createWebhookSubscription(input: { url: "${rx.url}/x", eventTypes: ["*"], tenantId: "x" }) { secret } }`);
    expect(g2.errors?.length).toBeGreaterThan(0);
    const g3 = await gql(t, a.token, `{ webhookSubscription(id: "nope") { id } }`);
    expect(g3.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');

    const readOnly = await createApiKey(t, a, ['webhooks:read']);
    await api(t, readOnly.secret).post('/v1/webhook-subscriptions', { url: `${rx.url}/x`, eventTypes: ['*'] }).expect(403);
    await api(t, readOnly.secret).get('/v1/webhook-subscriptions').expect(200);
    const noScope = await createApiKey(t, a, ['candidates:read']);
    await api(t, noScope.secret).get('/v1/webhook-subscriptions').expect(403);
    // An API key with webhooks:write can subscribe (an ATS sets up its own webhooks).
    const writer = await createApiKey(t, a, ['webhooks:write', 'webhooks:read']);
    await api(t, writer.secret).post('/v1/webhook-subscriptions', { url: `${rx.url}/x`, eventTypes: ['*'] }).expect(201);
  });
});

describe('retries run out after about 24 h', () => {
  it('15 failed attempts: the delivery is dead and the subscription flagged failing; a success clears the flag', async () => {
    const clock = new ManualClock(new Date());
    const t = await bootTestApp({ clock, env: ENV });
    const rx = await new WebhookReceiver().start();
    try {
      const worker = t.app.get(WebhookDeliveryWorker);
      const a = await signup(t);
      const sub = await subscribe(t, a, `${rx.url}/down`, ['candidate.created']);
      rx.answer(...Array.from({ length: 15 }, () => 503));
      await api(t, a).post('/v1/candidates', { name: 'Down Receiver' }).expect(201);
      const start = clock.now().getTime();
      for (let i = 0; i < 15; i += 1) {
        await worker.drain();
        const [row] = await withAdminDb(async (c) => (await c.query('SELECT next_attempt_at FROM webhook_deliveries WHERE tenant_id = $1', [a.tenantId])).rows);
        clock.set(row.next_attempt_at);
      }
      expect(rx.received).toHaveLength(15);
      const hours = (clock.now().getTime() - start) / 3_600_000;
      expect(hours).toBeGreaterThan(20);
      expect(hours).toBeLessThan(30);
      const [d] = await deliveriesOf(t, a, sub.id);
      expect(d).toMatchObject({ status: 'dead', attempts: 15, lastStatusCode: 503 });
      expect(d!.log).toHaveLength(15);
      const flagged = (await api(t, a).get(`/v1/webhook-subscriptions/${sub.id}`).expect(200)).body;
      expect(flagged.status).toBe('failing');
      expect(flagged.failingSince).not.toBeNull();
      clock.advance(86_400_000);
      await worker.drain();
      expect(rx.received).toHaveLength(15);

      // A failing subscription still receives new events; a success clears the flag.
      await api(t, a).post('/v1/candidates', { name: 'Back Up' }).expect(201);
      await worker.drain();
      expect(rx.received).toHaveLength(16);
      expect((await api(t, a).get(`/v1/webhook-subscriptions/${sub.id}`).expect(200)).body).toMatchObject({ status: 'active', failingSince: null });
    } finally {
      await t.close();
      await rx.stop();
    }
  }, 60_000);
});

describe('SSRF protection in production', () => {
  let prod: TestApp;
  beforeAll(async () => {
    prod = await bootTestApp({ env: { ...ENV, NODE_ENV: 'production', DATABASE_URL: process.env.DATABASE_URL ?? '' } });
  });
  afterAll(async () => {
    await prod.close();
  });

  it.each([
    'http://127.0.0.1/hook',
    'https://127.0.0.1/hook',
    'http://169.254.169.254/latest/meta-data',
    'https://169.254.169.254/latest/meta-data',
    'https://10.0.0.5/hook',
    'https://192.168.1.1/hook',
    'https://172.16.0.10/hook',
    'https://100.64.1.1/hook',
    'https://[::1]/hook',
    'https://[fd12::1]/hook',
    'https://[::ffff:127.0.0.1]/hook',
    'https://0.0.0.0/hook',
    'https://localhost/hook',
    'http://example.com/hook',
  ])('refuses %s', async (url) => {
    const a = await signup(prod);
    const res = await api(prod, a).post('/v1/webhook-subscriptions', { url, eventTypes: ['*'] });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('url');
    const g = await gql(prod, a.token, `mutation($url: String!) { createWebhookSubscription(input: { url: $url, eventTypes: ["*"] }) { secret } }`, { url });
    expect(g.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    expect(await countRows('webhook_subscriptions', 'tenant_id = $1', [a.tenantId])).toBe(0);
  });

  it('checks again at delivery time: a stored private URL is never called', async () => {
    const rx = await new WebhookReceiver().start();
    const dev = await bootTestApp({ env: ENV });
    try {
      const a = await signup(dev);
      const sub = await subscribe(dev, a, `${rx.url}/private`, ['candidate.created']);
      await api(dev, a).post('/v1/candidates', { name: 'Private Target' }).expect(201);
      // The production worker (same database) picks the delivery up and refuses to connect.
      await prod.app.get(WebhookDeliveryWorker).drain();
      expect(rx.received).toHaveLength(0);
      const [d] = await deliveriesOf(dev, a, sub.id);
      expect(d!.status).toBe('failed');
      expect(d!.log[0]!.error).toMatch(/must use https/);
    } finally {
      await dev.close();
      await rx.stop();
    }
  });
});
