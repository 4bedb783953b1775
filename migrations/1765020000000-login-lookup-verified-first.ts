import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * auth_login_lookup answers at most 10 users of an email: the verified ones first. Anyone can sign
 * up firms with someone else's address, but nobody can verify it without its mailbox; oldest first
 * alone would let ten squatting signups hide the owner's account from login.
 */
export class LoginLookupVerifiedFirst1765020000000 implements MigrationInterface {
  name = 'LoginLookupVerifiedFirst1765020000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(lookup('(u.email_verified_at IS NULL), u.created_at, u.id'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(lookup('u.created_at, u.id'));
  }
}

function lookup(order: string): string {
  return `
      CREATE OR REPLACE FUNCTION auth_login_lookup(p_email text)
      RETURNS TABLE (tenant_id uuid, user_id uuid, password_hash text, role text, user_status text, tenant_status text, tenant_name text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT u.tenant_id, u.id, u.password_hash, u.role, u.status, t.status, t.name
        FROM users u JOIN tenants t ON t.id = u.tenant_id
        WHERE lower(u.email) = lower(p_email) AND u.deleted_at IS NULL
        ORDER BY ${order}
        LIMIT 10
      $$`;
}
