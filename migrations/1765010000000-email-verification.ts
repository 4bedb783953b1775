import type { MigrationInterface, QueryRunner } from 'typeorm';

const LOGIN_GRANTS = ['auth_login_lookup(text)'];

/**
 * Email addresses no longer leak, and can no longer be squatted, across firms (issue 18).
 *
 * - A user's email is unique per firm (users_tenant_email_key), not across all firms: another
 *   firm's invite, or an earlier signup, neither blocks nor reveals an address. Login stays
 *   email + password: auth_login_lookup answers every live user of that email (at most 10, oldest
 *   first, with the firm's name), and the password picks the account (docs/ARCHITECTURE.md).
 * - Signup is verified by email: users keep a one-time verification token (hashed) and the time it
 *   was verified; the firm is verified when its signup email is (tenants.email_verified_at). Firms
 *   that existed before this migration are taken as verified (they signed up under the old rules
 *   and cannot be emailed from a migration); an operator can clear the column to re-check one.
 */
export class EmailVerification1765010000000 implements MigrationInterface {
  name = 'EmailVerification1765010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenants ADD COLUMN email_verified_at timestamptz`);
    await q.query(`UPDATE tenants SET email_verified_at = created_at`);
    await q.query(`
      ALTER TABLE users
        ADD COLUMN email_verified_at timestamptz,
        ADD COLUMN email_verification_token_hash text,
        ADD COLUMN email_verification_expires_at timestamptz`);
    await q.query(`CREATE UNIQUE INDEX users_email_verification_token_key ON users (email_verification_token_hash) WHERE email_verification_token_hash IS NOT NULL`);
    await q.query(`DROP INDEX users_email_key`);
    await q.query(`CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant_id, lower(email)) WHERE deleted_at IS NULL`);
    // Login looks an email up before any firm is known: an index on the address alone.
    await q.query(`CREATE INDEX users_email_idx ON users (lower(email)) WHERE deleted_at IS NULL`);
    await q.query(`DROP FUNCTION auth_login_lookup(text)`);
    await q.query(`
      CREATE FUNCTION auth_login_lookup(p_email text)
      RETURNS TABLE (tenant_id uuid, user_id uuid, password_hash text, role text, user_status text, tenant_status text, tenant_name text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT u.tenant_id, u.id, u.password_hash, u.role, u.status, t.status, t.name
        FROM users u JOIN tenants t ON t.id = u.tenant_id
        WHERE lower(u.email) = lower(p_email) AND u.deleted_at IS NULL
        ORDER BY u.created_at, u.id
        LIMIT 10
      $$`);
    for (const fn of LOGIN_GRANTS) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION auth_login_lookup(text)`);
    await q.query(`
      CREATE FUNCTION auth_login_lookup(p_email text)
      RETURNS TABLE (tenant_id uuid, user_id uuid, password_hash text, role text, user_status text, tenant_status text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT u.tenant_id, u.id, u.password_hash, u.role, u.status, t.status
        FROM users u JOIN tenants t ON t.id = u.tenant_id
        WHERE lower(u.email) = lower(p_email) AND u.deleted_at IS NULL
        LIMIT 1
      $$`);
    for (const fn of LOGIN_GRANTS) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
    await q.query(`DROP INDEX IF EXISTS users_email_idx`);
    await q.query(`DROP INDEX IF EXISTS users_tenant_email_key`);
    // Fails if one email now has users in several firms; those must be resolved by hand first.
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL`);
    await q.query(`DROP INDEX IF EXISTS users_email_verification_token_key`);
    await q.query(`ALTER TABLE users DROP COLUMN email_verified_at, DROP COLUMN email_verification_token_hash, DROP COLUMN email_verification_expires_at`);
    await q.query(`ALTER TABLE tenants DROP COLUMN email_verified_at`);
  }
}
