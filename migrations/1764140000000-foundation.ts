import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Foundation: the app role, tenants, users, API keys, refresh tokens, row-level security, and
 * the narrow SECURITY DEFINER functions that authentication needs before a tenant is known.
 *
 * Pattern for every tenant table (later migrations follow it):
 *   - tenant_id uuid NOT NULL, primary key (tenant_id, id);
 *   - references to other tenant tables are composite: FOREIGN KEY (tenant_id, x_id)
 *     REFERENCES x (tenant_id, id), so a cross-tenant reference cannot exist;
 *   - ENABLE + FORCE ROW LEVEL SECURITY and a policy on tenant_id = app_current_tenant().
 */
export class Foundation1764140000000 implements MigrationInterface {
  name = 'Foundation1764140000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        -- Roles are cluster-wide while migrations lock per database: two databases migrating at
        -- once may race here; the loser sees the role appear and carries on.
        FOR i IN 1..10 LOOP
          BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'touchpoint_app') THEN
              CREATE ROLE touchpoint_app NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
            END IF;
            -- The connecting (owner) role switches to the app role per transaction.
            IF NOT pg_has_role(current_user, 'touchpoint_app', 'MEMBER') THEN
              EXECUTE format('GRANT touchpoint_app TO %I', current_user);
            END IF;
            EXIT;
          EXCEPTION WHEN OTHERS THEN
            IF i = 10 THEN RAISE; END IF;
            PERFORM pg_sleep(0.05 * i);
          END;
        END LOOP;
      END $$`);
    await q.query(`GRANT USAGE ON SCHEMA public TO touchpoint_app`);

    await q.query(`
      CREATE FUNCTION app_current_tenant() RETURNS uuid
      LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT NULLIF(current_setting('app.tenant_id', true), '')::uuid $$`);

    await q.query(`
      CREATE TABLE tenants (
        id uuid NOT NULL,
        name text NOT NULL,
        webhook_key text NOT NULL,
        time_zone text NOT NULL DEFAULT 'UTC',
        status text NOT NULL DEFAULT 'active',
        settings jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenants_pkey PRIMARY KEY (id),
        CONSTRAINT tenants_webhook_key_key UNIQUE (webhook_key),
        CONSTRAINT tenants_status_check CHECK (status IN ('active', 'suspended')),
        CONSTRAINT tenants_name_check CHECK (char_length(name) BETWEEN 1 AND 200)
      )`);

    await q.query(`
      CREATE TABLE users (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        email text NOT NULL,
        name text NOT NULL,
        role text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        password_hash text,
        invite_token_hash text,
        invite_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT users_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT users_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT users_role_check CHECK (role IN ('admin', 'recruiter')),
        CONSTRAINT users_status_check CHECK (status IN ('invited', 'active')),
        CONSTRAINT users_password_check CHECK (status = 'invited' OR password_hash IS NOT NULL)
      )`);
    // Login is by email alone, so an email belongs to one live user across all tenants.
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (lower(email)) WHERE deleted_at IS NULL`);
    await q.query(`CREATE UNIQUE INDEX users_invite_token_key ON users (invite_token_hash) WHERE invite_token_hash IS NOT NULL`);

    await q.query(`
      CREATE TABLE api_keys (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        key_hash text NOT NULL,
        scopes text[] NOT NULL,
        created_by_user_id uuid NOT NULL,
        last_used_at timestamptz,
        expires_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT api_keys_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT api_keys_key_hash_key UNIQUE (key_hash),
        CONSTRAINT api_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT api_keys_created_by_fkey FOREIGN KEY (tenant_id, created_by_user_id) REFERENCES users (tenant_id, id)
      )`);

    await q.query(`
      CREATE TABLE refresh_tokens (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL,
        family_id uuid NOT NULL,
        token_hash text NOT NULL,
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT refresh_tokens_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT refresh_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT refresh_tokens_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT refresh_tokens_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
      )`);
    await q.query(`CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (tenant_id, family_id)`);

    // Row-level security: enabled and forced on every tenant table.
    await q.query(`ALTER TABLE tenants ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE tenants FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY tenants_isolation ON tenants
        USING (id = app_current_tenant()) WITH CHECK (id = app_current_tenant())`);
    for (const table of ['users', 'api_keys', 'refresh_tokens']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON tenants TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON users, api_keys, refresh_tokens TO touchpoint_app`);

    // The narrow paths authentication needs before a tenant is known. Each answers for exactly
    // one email, key hash or (tenant, user) pair, and returns only what the caller needs.
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
    await q.query(`
      CREATE FUNCTION auth_api_key_lookup(p_key_hash text)
      RETURNS TABLE (tenant_id uuid, api_key_id uuid, scopes text[], revoked_at timestamptz, expires_at timestamptz,
                     last_used_at timestamptz, tenant_status text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT k.tenant_id, k.id, k.scopes, k.revoked_at, k.expires_at, k.last_used_at, t.status
        FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
        WHERE k.key_hash = p_key_hash
      $$`);
    await q.query(`
      CREATE FUNCTION auth_principal_status(p_tenant_id uuid, p_user_id uuid)
      RETURNS TABLE (role text, user_status text, deleted boolean, tenant_status text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT u.role, u.status, u.deleted_at IS NOT NULL, t.status
        FROM users u JOIN tenants t ON t.id = u.tenant_id
        WHERE u.tenant_id = p_tenant_id AND u.id = p_user_id
      $$`);
    await q.query(`
      CREATE FUNCTION auth_invite_lookup(p_token_hash text)
      RETURNS TABLE (tenant_id uuid, user_id uuid, invite_expires_at timestamptz)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT u.tenant_id, u.id, u.invite_expires_at
        FROM users u
        WHERE u.invite_token_hash = p_token_hash AND u.status = 'invited' AND u.deleted_at IS NULL
      $$`);
    for (const fn of [
      'auth_login_lookup(text)',
      'auth_api_key_lookup(text)',
      'auth_principal_status(uuid, uuid)',
      'auth_invite_lookup(text)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const fn of [
      'auth_invite_lookup(text)',
      'auth_principal_status(uuid, uuid)',
      'auth_api_key_lookup(text)',
      'auth_login_lookup(text)',
    ]) {
      await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
    }
    await q.query(`DROP TABLE IF EXISTS refresh_tokens`);
    await q.query(`DROP TABLE IF EXISTS api_keys`);
    await q.query(`DROP TABLE IF EXISTS users`);
    await q.query(`DROP TABLE IF EXISTS tenants`);
    await q.query(`DROP FUNCTION IF EXISTS app_current_tenant()`);
    await q.query(`REVOKE USAGE ON SCHEMA public FROM touchpoint_app`);
    // The role is cluster-wide and may serve other databases; it is left in place.
  }
}
