import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { bootTestApp, signup, SignedUp, TestApp, testDatabaseUrl } from '../support/test-app';

/**
 * Row-level security checked at the SQL level, under the role the app really uses.
 * The connection here is the owner (as the app's pool is); each check switches to the app role
 * the same way TenantDb does: per transaction, with set_config(..., true).
 */
describe('row-level security', () => {
  let t: TestApp;
  let a: SignedUp;
  let b: SignedUp;
  let c: Client;

  beforeAll(async () => {
    t = await bootTestApp();
    a = await signup(t);
    b = await signup(t);
    await request(t.http).post('/v1/api-keys').set('Authorization', `Bearer ${a.token}`).send({ name: 'k', scopes: ['me:read'] }).expect(201);
    c = new Client({ connectionString: testDatabaseUrl() });
    await c.connect();
  });
  afterAll(async () => {
    await c.end();
    await t.close();
  });

  async function asApp<T>(tenant: string | null, fn: () => Promise<T>): Promise<T> {
    await c.query('BEGIN');
    try {
      await c.query(`SELECT set_config('role', 'touchpoint_app', true)`);
      if (tenant) await c.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
      return await fn();
    } finally {
      await c.query('ROLLBACK');
    }
  }

  it('the app role is not owner, superuser or BYPASSRLS', async () => {
    const role = (await c.query(`SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = 'touchpoint_app'`)).rows[0];
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
    const owned = await c.query(`SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public' AND tableowner = 'touchpoint_app'`);
    expect(owned.rows[0].n).toBe(0);
  });

  it('with no tenant set, the app role sees 0 rows in every tenant table', async () => {
    const tables = (await c.query(`SELECT table_name FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'tenant_id'`)).rows.map((r) => r.table_name as string);
    expect(tables.length).toBeGreaterThanOrEqual(3);
    await asApp(null, async () => {
      for (const table of [...tables, 'tenants']) {
        const r = await c.query(`SELECT count(*)::int AS n FROM ${table}`);
        expect({ table, n: r.rows[0].n }).toEqual({ table, n: 0 });
      }
    });
  });

  it("under tenant A, B's rows are invisible", async () => {
    await asApp(a.tenantId, async () => {
      const users = await c.query('SELECT tenant_id FROM users');
      expect(users.rows.length).toBeGreaterThan(0);
      expect(new Set(users.rows.map((r) => r.tenant_id))).toEqual(new Set([a.tenantId]));
      const byId = await c.query('SELECT id FROM users WHERE id = $1', [b.userId]);
      expect(byId.rowCount).toBe(0);
      const tenants = await c.query('SELECT id FROM tenants');
      expect(tenants.rows).toEqual([{ id: a.tenantId }]);
    });
  });

  it("under tenant A, inserting or moving a row into B's tenant fails", async () => {
    await expect(
      asApp(a.tenantId, () =>
        c.query(`INSERT INTO users (tenant_id, email, name, role, status, password_hash) VALUES ($1, $2, 'Mallory', 'admin', 'active', 'x')`, [
          b.tenantId,
          `mallory.${randomUUID()}@example.com`,
        ]),
      ),
    ).rejects.toThrow(/row-level security/);
    await asApp(a.tenantId, async () => {
      const moved = await c.query('UPDATE users SET name = name WHERE id = $1', [b.userId]);
      expect(moved.rowCount).toBe(0);
    });
    await expect(asApp(a.tenantId, () => c.query('UPDATE users SET tenant_id = $1 WHERE id = $2', [b.tenantId, a.userId]))).rejects.toThrow(
      /row-level security|foreign key/,
    );
  });

  it('every table with a tenant_id column has RLS enabled, forced, and a policy', async () => {
    const rows = (
      await c.query(`
        SELECT c.relname AS table, c.relrowsecurity AS enabled, c.relforcerowsecurity AS forced,
               (SELECT count(*)::int FROM pg_policies p WHERE p.schemaname = 'public' AND p.tablename = c.relname) AS policies
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
          AND (EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped)
               OR c.relname = 'tenants')`)
    ).rows as { table: string; enabled: boolean; forced: boolean; policies: number }[];
    expect(rows.length).toBeGreaterThanOrEqual(4);
    const bad = rows.filter((r) => !r.enabled || !r.forced || r.policies < 1);
    expect(bad).toEqual([]);
  });

  it('every foreign key between tenant tables is composite on tenant_id', async () => {
    const fks = (
      await c.query(`
        SELECT con.conname, con.conrelid::regclass::text AS tbl, con.confrelid::regclass::text AS ref,
               (SELECT array_agg(a.attname::text ORDER BY a.attname) FROM pg_attribute a WHERE a.attrelid = con.conrelid AND a.attnum = ANY(con.conkey)) AS cols
        FROM pg_constraint con JOIN pg_namespace n ON n.oid = con.connamespace
        WHERE con.contype = 'f' AND n.nspname = 'public'`)
    ).rows as { conname: string; tbl: string; ref: string; cols: string[] }[];
    const offenders = fks.filter((fk) => fk.ref !== 'tenants' && !fk.cols.includes('tenant_id'));
    expect(offenders).toEqual([]);
  });

  it('the tenant setting never outlives its transaction on a pooled connection', async () => {
    await asApp(a.tenantId, async () => undefined);
    const r = await c.query(`SELECT NULLIF(current_setting('app.tenant_id', true), '') AS t, current_user AS u`);
    expect(r.rows[0].t).toBeNull();
    expect(r.rows[0].u).not.toBe('touchpoint_app');
  });
});
