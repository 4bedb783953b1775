import request from 'supertest';
import { Client } from 'pg';
import { bootTestApp, signup, SignedUp, TestApp, testDatabaseUrl, uniqueEmail, withAdminDb } from '../support/test-app';

/**
 * Issue 18: erasing a person named `email` or `role` must not rewrite anyone else's audit
 * entries (the old audit_redact_values replaced the JSON text `"email"` everywhere, keys
 * included). Only the erased person's entries change, values only, and each change is recorded.
 */
describe('security: erasure redacts only the erased person\'s audit entries', () => {
  let t: TestApp;
  let a: SignedUp;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
  });
  afterAll(async () => {
    await t.close();
  });

  type Entry = { id: string; table_name: string; row_id: string | null; changes: Record<string, { before: unknown; after: unknown }> };
  const entries = (): Promise<Entry[]> =>
    withAdminDb(async (c) => (await c.query<Entry>(`SELECT id::text, table_name, row_id, changes FROM audit_log WHERE tenant_id = $1 ORDER BY id`, [a.tenantId])).rows);

  it('erasing people named "email" and "role" leaves other entries as they were; theirs lose the values, keep the keys; each redaction is recorded', async () => {
    const auth = { Authorization: `Bearer ${a.token}` };
    // Other people's entries holding the words as keys and as values.
    await request(t.http).post('/v1/users').set(auth).send({ email: uniqueEmail('rita'), name: 'Rita Recruiter', role: 'recruiter' }).expect(201);
    const bob = await request(t.http).post('/v1/candidates').set(auth).send({ name: 'Bob Other', email: uniqueEmail('bob'), preferredChannel: 'email' }).expect(201);
    await request(t.http).patch(`/v1/candidates/${bob.body.id}`).set(auth).send({ name: 'role' }).expect(200);
    const victimEmail = uniqueEmail('victim');
    const victim = await request(t.http).post('/v1/candidates').set(auth).send({ name: 'email', email: victimEmail, phone: '+14155550111', preferredChannel: 'email' }).expect(201);
    const roleContact = await request(t.http).post('/v1/contacts').set(auth).send({ name: 'role', email: uniqueEmail('ct') }).expect(201);
    await request(t.http).patch(`/v1/candidates/${victim.body.id}`).set(auth).send({ phone: '+14155550112' }).expect(200);

    const before = await entries();
    const victimIds = new Set([victim.body.id, roleContact.body.id]);
    const others = before.filter((e) => !victimIds.has(e.row_id ?? ''));
    expect(others.some((e) => JSON.stringify(e.changes).includes('"email"'))).toBe(true);

    await request(t.http).post(`/v1/candidates/${victim.body.id}/erase`).set(auth).expect(200);
    await request(t.http).post(`/v1/contacts/${roleContact.body.id}/erase`).set(auth).expect(200);

    const after = await entries();
    const byId = new Map(after.map((e) => [e.id, e]));
    // Nobody else's entry changed: not a key, not a value (Bob is still named "role", his channel still "email").
    for (const e of others) expect(byId.get(e.id)).toEqual(e);
    expect(byId.get(others.find((e) => e.row_id === bob.body.id && e.changes.name?.after === 'role')!.id)!.changes.name).toEqual({ before: 'Bob Other', after: 'role' });

    // The victim's entries: same keys, values redacted.
    const victimBefore = before.filter((e) => e.row_id === victim.body.id);
    for (const e of victimBefore) expect(Object.keys(byId.get(e.id)!.changes).sort()).toEqual(Object.keys(e.changes).sort());
    const victimAfter = after.filter((e) => e.row_id === victim.body.id);
    const text = JSON.stringify(victimAfter);
    expect(text).not.toContain(victimEmail);
    expect(text).not.toContain('+14155550111');
    expect(text).not.toContain('+14155550112');
    const insert = victimAfter.find((e) => e.changes.email?.before === null)!;
    expect(insert.changes).toMatchObject({ name: { before: null, after: '[erased]' }, email: { before: null, after: '[erased]' } });
    // The contact named "role": its own entries lose the name only.
    const contactInsert = after.find((e) => e.row_id === roleContact.body.id && e.changes.name?.before === null)!;
    expect(contactInsert.changes.name.after).toBe('[erased]');

    // One append-only record per redacted entry: which entry, which fields, who.
    const records = await withAdminDb(
      async (c) =>
        (await c.query(`SELECT audit_log_id::text AS entry, person_id, fields, actor_kind, actor_id FROM audit_redactions WHERE tenant_id = $1 ORDER BY id`, [a.tenantId])).rows as {
          entry: string;
          person_id: string;
          fields: string[];
          actor_kind: string;
          actor_id: string;
        }[],
    );
    const redactedEntries = after.filter((e) => before.find((b) => b.id === e.id) && JSON.stringify(before.find((b) => b.id === e.id)!.changes) !== JSON.stringify(e.changes));
    // Every changed entry has its record; records name only the erased people's entries (the
    // erasure's own entry, written in the same transaction, is redacted and recorded too).
    const recorded = new Set(records.map((r) => r.entry));
    for (const e of redactedEntries) expect(recorded.has(e.id)).toBe(true);
    for (const r of records) expect(victimIds.has(byId.get(r.entry)!.row_id ?? '')).toBe(true);
    expect(records.find((r) => r.entry === insert.id)).toMatchObject({ person_id: victim.body.id, actor_kind: 'user', actor_id: a.userId });
    expect(records.find((r) => r.entry === insert.id)!.fields).toEqual(expect.arrayContaining(['name', 'email', 'phone']));
    for (const r of records) expect(victimIds.has(r.person_id)).toBe(true);
  });

  it('the redaction record is append-only for the app role', async () => {
    const c = new Client({ connectionString: testDatabaseUrl() });
    await c.connect();
    try {
      for (const sql of [
        'UPDATE audit_redactions SET fields = $2 WHERE tenant_id = $1',
        'DELETE FROM audit_redactions WHERE tenant_id = $1',
        `INSERT INTO audit_redactions (tenant_id, audit_log_id, person_id, fields) VALUES ($1, 1, $1, '{}')`,
      ]) {
        await c.query('BEGIN');
        await c.query(`SELECT set_config('role', 'touchpoint_app', true), set_config('app.tenant_id', $1, true)`, [a.tenantId]);
        await expect(c.query(sql, sql.startsWith('UPDATE') ? [a.tenantId, '{}'] : [a.tenantId])).rejects.toThrow(/permission denied/);
        await c.query('ROLLBACK');
      }
    } finally {
      await c.end();
    }
  });
});
