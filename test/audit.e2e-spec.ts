import request from 'supertest';
import { Client } from 'pg';
import { bootTestApp, createApiKey, gql, signup, SignedUp, TestApp, testDatabaseUrl } from './support/test-app';

describe('audit log', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    b = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  it('records a candidate update by an API key: the key, the fields, before and after', async () => {
    const key = await createApiKey(t, a, ['candidates:read', 'candidates:write']);
    const created = await request(t.http).post('/v1/candidates').set('Authorization', `Bearer ${key.secret}`).send({ name: 'Jane Doe', email: 'jane.old@example.com' }).expect(201);
    const id = created.body.id as string;
    await request(t.http).patch(`/v1/candidates/${id}`).set('Authorization', `Bearer ${key.secret}`).send({ email: 'jane.new@example.com' }).expect(200);
    const log = await request(t.http).get(`/v1/audit-log?table=candidates&rowId=${id}`).set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(log.body.items.map((e: { action: string }) => e.action)).toEqual(['update', 'insert']);
    expect(log.body.items[0]).toMatchObject({
      actorKind: 'api_key',
      actorId: key.id,
      table: 'candidates',
      rowId: id,
      changes: { email: { before: 'jane.old@example.com', after: 'jane.new@example.com' } },
    });
    expect(Object.keys(log.body.items[0].changes)).toEqual(['email']);
  });

  it('records users by user actors, never secrets; system writes (planning) are not attributed to the user', async () => {
    await request(t.http).post('/v1/users').set('Authorization', `Bearer ${a.token}`).send({ email: `sam.${Date.now()}@example.com`, name: 'Sam Lee', role: 'recruiter' }).expect(201);
    const log = await request(t.http).get('/v1/audit-log?table=users').set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(log.body.items[0]).toMatchObject({ actorKind: 'user', actorId: a.userId, action: 'insert' });
    expect(JSON.stringify(log.body)).not.toMatch(/invite_token_hash|password_hash/);
    const planned = await request(t.http).get('/v1/audit-log?table=follow_ups').set('Authorization', `Bearer ${a.token}`).expect(200);
    expect(planned.body.items).toEqual([]);
  });

  it('is append-only for the app role: UPDATE and DELETE fail', async () => {
    const c = new Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    try {
      for (const sql of ['UPDATE audit_log SET action = $2 WHERE tenant_id = $1', 'DELETE FROM audit_log WHERE tenant_id = $1']) {
        await c.query('BEGIN');
        await c.query(`SELECT set_config('role', 'touchpoint_app', true), set_config('app.tenant_id', $1, true)`, [a.tenantId]);
        await expect(c.query(sql, sql.startsWith('UPDATE') ? [a.tenantId, 'delete'] : [a.tenantId])).rejects.toThrow(/permission denied/);
        await c.query('ROLLBACK');
      }
      await c.query('BEGIN');
      await c.query(`SELECT set_config('role', 'touchpoint_app', true), set_config('app.tenant_id', $1, true)`, [a.tenantId]);
      await expect(c.query(`INSERT INTO audit_log (tenant_id, actor_kind, actor_id, table_name, action, changes) VALUES ($1, 'user', $2, 'x', 'insert', '{}')`, [a.tenantId, a.userId])).rejects.toThrow(
        /permission denied/,
      );
      await c.query('ROLLBACK');
    } finally {
      await c.end();
    }
  });

  it('is for admins; tenant B sees none of A; bad filters are 400', async () => {
    const rec = await request(t.http).post('/v1/users').set('Authorization', `Bearer ${a.token}`).send({ email: `rita.${Date.now()}@example.com`, name: 'Rita Recruiter', role: 'recruiter' }).expect(201);
    const acc = await request(t.http).post('/v1/auth/accept-invite').send({ inviteToken: rec.body.inviteToken, password: 'a long and unusual passphrase' }).expect(200);
    await request(t.http).get('/v1/audit-log').set('Authorization', `Bearer ${acc.body.accessToken}`).expect(403);
    const other = await request(t.http).get('/v1/audit-log?limit=100').set('Authorization', `Bearer ${b.token}`).expect(200);
    expect(JSON.stringify(other.body)).not.toContain(a.userId);
    await request(t.http).get('/v1/audit-log?limit=1000').set('Authorization', `Bearer ${a.token}`).expect(400);
    await request(t.http).get('/v1/audit-log?cursor=nope').set('Authorization', `Bearer ${a.token}`).expect(400);
    await request(t.http).get('/v1/audit-log?actorId=x').set('Authorization', `Bearer ${a.token}`).expect(400);
    await request(t.http).get('/v1/audit-log?table=DROP%20TABLE').set('Authorization', `Bearer ${a.token}`).expect(400);
  });

  it('GraphQL: auditLog for admins, validated filters, isolated per tenant', async () => {
    const g = await gql<{ auditLog: { items: { table: string; actorKind: string }[] } }>(t, a.token, '{ auditLog(limit: 5) { items { id at actorKind actorId table rowId action changes } nextCursor } }');
    expect(g.errors).toBeUndefined();
    expect(g.data?.auditLog.items.length).toBeGreaterThan(0);
    const bad = await gql(t, a.token, '{ auditLog(limit: 1000) { nextCursor } }');
    expect(bad.errors?.[0]?.extensions?.code).toBe('VALIDATION_FAILED');
    const other = await gql<{ auditLog: { items: { actorId: string }[] } }>(t, b.token, '{ auditLog(limit: 100) { items { actorId } } }');
    expect(other.data?.auditLog.items.map((i) => i.actorId)).not.toContain(a.userId);
  });
});
