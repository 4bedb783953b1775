import request from 'supertest';
import { api, inDays, UNKNOWN_ID } from '../pipeline/pipeline-support';
import { bootTestApp, countRows, createApiKey, signup, SignedUp, TestApp, withAdminDb } from '../support/test-app';

interface Operation {
  method: 'post' | 'put' | 'patch' | 'delete';
  path: string;
}

/**
 * Actions that take no body (erase, revoke, confirm, send-now, approve, retry, a DELETE…) refuse
 * one, as every other endpoint refuses unknown fields. The list is read from /openapi.json: every
 * write without a request body, so a new action is covered when it is added.
 */
describe('an action without a body refuses one', () => {
  let t: TestApp;
  let a: SignedUp;
  let actions: Operation[];

  const bad: [string, string][] = [
    ['a JSON list', '[]'],
    ['a JSON string', '"x"'],
    ['a number', '42'],
    ['JSON null', 'null'],
    ['an object with a tenantId', ''],
  ];
  const send = (op: Operation, path: string, raw: string | undefined) => {
    const req = request(t.http)[op.method](path).set('Authorization', `Bearer ${a.token}`);
    return raw === undefined ? req : req.set('Content-Type', 'application/json').send(raw);
  };

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    const doc = (await request(t.http).get('/openapi.json').expect(200)).body as {
      paths: Record<string, Record<string, { requestBody?: unknown }>>;
    };
    actions = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method, op]) => ['post', 'put', 'patch', 'delete'].includes(method) && op.requestBody === undefined)
        // Form posts from outside (a mail client's one-click unsubscribe) read their own body.
        .filter(() => !path.startsWith('/v1/unsubscribe/'))
        .map(([method]) => ({ method: method as Operation['method'], path })),
    );
  });
  afterAll(async () => {
    await t.close();
  });

  it('the actions named in the report are among them', () => {
    const keys = actions.map((op) => `${op.method.toUpperCase()} ${op.path}`);
    expect(keys).toEqual(
      expect.arrayContaining([
        'POST /v1/candidates/{id}/erase',
        'POST /v1/contacts/{id}/erase',
        'POST /v1/api-keys/{id}/revoke',
        'POST /v1/interviews/{id}/confirm',
        'POST /v1/follow-ups/{id}/send-now',
        'POST /v1/follow-ups/{id}/approve',
        'DELETE /v1/candidates/{id}',
      ]),
    );
  });

  it('every one answers 400 to a body that is not empty or {}, before anything else (even for an unknown id)', async () => {
    const problems: string[] = [];
    for (const op of actions) {
      const path = op.path.replace(/\{[^}]+\}/g, UNKNOWN_ID);
      for (const [what, raw] of bad) {
        const body = raw === '' ? JSON.stringify({ tenantId: a.tenantId }) : raw;
        const res = await send(op, path, body);
        const fields = ((res.body?.errors ?? []) as { field: string }[]).map((e) => e.field);
        const expected = raw === '' ? 'tenantId' : 'body';
        if (res.status !== 400 || res.body.code !== 'VALIDATION_FAILED' || !fields.includes(expected)) {
          problems.push(`${op.method.toUpperCase()} ${op.path} with ${what}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('nothing is done: the key stays, the candidate is not erased, the interview not confirmed; with no body or {}, each works', async () => {
    const key = await createApiKey(t, a, ['me:read']);
    const candidate = (await api(t, a).post('/v1/candidates', { name: 'Jane Keep', email: 'jane.keep@example.com' }).expect(201)).body.id as string;
    const lead = (await api(t, a).post('/v1/leads', { candidateId: candidate, company: 'Globex', position: 'Dev' }).expect(201)).body.id as string;
    const interview = (await api(t, a).post('/v1/interviews', { leadId: lead, startsAt: inDays(3), durationMinutes: 30, format: 'phone' }).expect(201)).body.id as string;
    const state = () =>
      withAdminDb(async (c) => ({
        key: (await c.query(`SELECT revoked_at FROM api_keys WHERE id = $1`, [key.id])).rows[0],
        candidate: (await c.query(`SELECT name, email, deleted_at FROM candidates WHERE id = $1`, [candidate])).rows[0],
        interview: (await c.query(`SELECT status FROM interviews WHERE id = $1`, [interview])).rows[0],
      }));
    const before = await state();
    const audit = await countRows('audit_log', 'tenant_id = $1', [a.tenantId]);
    for (const [path] of [[`/v1/api-keys/${key.id}/revoke`], [`/v1/candidates/${candidate}/erase`], [`/v1/interviews/${interview}/confirm`]]) {
      for (const [, raw] of bad) {
        await send({ method: 'post', path: path! }, path!, raw === '' ? JSON.stringify({ tenantId: a.tenantId }) : raw).expect(400);
      }
    }
    expect(await state()).toEqual(before);
    expect(await countRows('audit_log', 'tenant_id = $1', [a.tenantId])).toBe(audit);

    // No body at all, and an empty object, are what an action takes.
    await send({ method: 'post', path: '' }, `/v1/interviews/${interview}/confirm`, undefined).expect(200);
    await send({ method: 'post', path: '' }, `/v1/api-keys/${key.id}/revoke`, '{}').expect(200);
    await send({ method: 'post', path: '' }, `/v1/candidates/${candidate}/erase`, '{}').expect((res) => expect(res.status).toBeLessThan(300));
  });

  it('who is asking is checked first: no token is a 401 and a missing scope a 403, whatever the body', async () => {
    const target = `/v1/candidates/${UNKNOWN_ID}/erase`;
    const erase = { method: 'post' as const, path: target };
    const anonymous = await request(t.http).post(target).set('Content-Type', 'application/json').send('[]');
    expect(anonymous.status).toBe(401);
    const narrow = await createApiKey(t, a, ['me:read']);
    const scoped = await request(t.http).post(target).set('Authorization', `Bearer ${narrow.secret}`).set('Content-Type', 'application/json').send('[]');
    expect(scoped.status).toBe(403);
    // With the right token, the body is what is wrong.
    expect((await send(erase, target, '[]')).status).toBe(400);
  });
});
