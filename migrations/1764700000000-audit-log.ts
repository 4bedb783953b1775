import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables whose writes by a user or an API key are audited. Activities are added when present. */
const AUDITED = [
  'users',
  'api_keys',
  'candidates',
  'contacts',
  'leads',
  'interviews',
  'interview_interviewers',
  'candidate_references',
  'reference_provisions',
  'consents',
  'tenant_senders',
  'follow_ups',
  'webhook_subscriptions',
  'activities',
];

/**
 * The audit log: who (user or API key) changed what, when, with the before and after of each
 * changed field. Written by triggers, so no code path can forget it, from the actor the app puts
 * in each transaction (set_config('app.actor_kind' / 'app.actor_id', …, true)). Writes by the
 * system (the dispatcher, webhooks) carry no user actor and are not audited here.
 *
 * Append-only at the database level: the app role may only SELECT (under RLS); the trigger
 * function (SECURITY DEFINER, owned by the schema owner) is the only writer. Secrets and message
 * bodies are never copied: hashes, encrypted tokens and bodies are excluded by column name.
 */
export class AuditLog1764700000000 implements MigrationInterface {
  name = 'AuditLog1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_log (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        actor_kind text NOT NULL,
        actor_id uuid NOT NULL,
        table_name text NOT NULL,
        row_id uuid,
        action text NOT NULL,
        changes jsonb NOT NULL,
        CONSTRAINT audit_log_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT audit_log_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT audit_log_actor_check CHECK (actor_kind IN ('user', 'api_key')),
        CONSTRAINT audit_log_action_check CHECK (action IN ('insert', 'update', 'delete'))
      )`);
    await q.query(`CREATE INDEX audit_log_list_idx ON audit_log (tenant_id, at DESC, id DESC)`);
    await q.query(`CREATE INDEX audit_log_row_idx ON audit_log (tenant_id, table_name, row_id)`);
    await q.query(`ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_log FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY audit_log_isolation ON audit_log USING (tenant_id = app_current_tenant())`);
    await q.query(`GRANT SELECT ON audit_log TO touchpoint_app`);

    await q.query(`
      CREATE FUNCTION audit_row_change() RETURNS trigger
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
      DECLARE
        v_kind text := NULLIF(current_setting('app.actor_kind', true), '');
        v_actor text := NULLIF(current_setting('app.actor_id', true), '');
        v_old jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) ELSE '{}'::jsonb END;
        v_new jsonb := CASE WHEN TG_OP IN ('INSERT', 'UPDATE') THEN to_jsonb(NEW) ELSE '{}'::jsonb END;
        v_changes jsonb := '{}'::jsonb;
        v_key text;
      BEGIN
        IF v_kind NOT IN ('user', 'api_key') OR v_actor IS NULL THEN
          RETURN NULL;
        END IF;
        FOR v_key IN SELECT jsonb_object_keys(v_old || v_new) LOOP
          CONTINUE WHEN v_key IN ('tenant_id', 'updated_at', 'created_at')
            OR v_key ~ '(hash|secret|token|encrypted|password|body|subject|summary)';
          IF (v_old -> v_key) IS DISTINCT FROM (v_new -> v_key) THEN
            v_changes := v_changes || jsonb_build_object(v_key, jsonb_build_object('before', v_old -> v_key, 'after', v_new -> v_key));
          END IF;
        END LOOP;
        IF TG_OP = 'UPDATE' AND v_changes = '{}'::jsonb THEN
          RETURN NULL;
        END IF;
        INSERT INTO audit_log (tenant_id, actor_kind, actor_id, table_name, row_id, action, changes)
        VALUES (
          coalesce((v_new ->> 'tenant_id')::uuid, (v_old ->> 'tenant_id')::uuid),
          v_kind, v_actor::uuid, TG_TABLE_NAME,
          coalesce(v_new ->> 'id', v_old ->> 'id')::uuid,
          lower(TG_OP), v_changes);
        RETURN NULL;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_row_change() FROM PUBLIC`);

    // Erasure: the one way to change audit rows. It replaces an erased person's values (name,
    // email, phone) inside the current tenant's entries with a marker, keeping who changed what
    // and when. The app role cannot UPDATE the table itself.
    await q.query(`
      CREATE FUNCTION audit_redact_values(p_values text[]) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
      DECLARE
        v_tenant uuid := app_current_tenant();
        v_value text;
        v_count integer := 0;
        v_n integer;
      BEGIN
        IF v_tenant IS NULL THEN
          RAISE EXCEPTION 'no tenant in this transaction';
        END IF;
        FOREACH v_value IN ARRAY p_values LOOP
          CONTINUE WHEN v_value IS NULL OR length(v_value) < 3 OR v_value ~ '["\\[:cntrl:]]';
          UPDATE audit_log SET changes = replace(changes::text, to_jsonb(v_value)::text, '"[erased]"')::jsonb
          WHERE tenant_id = v_tenant AND strpos(changes::text, to_jsonb(v_value)::text) > 0;
          GET DIAGNOSTICS v_n = ROW_COUNT;
          v_count := v_count + v_n;
        END LOOP;
        RETURN v_count;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_redact_values(text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION audit_redact_values(text[]) TO touchpoint_app`);
    for (const table of AUDITED) {
      const exists = (await q.query(`SELECT to_regclass($1) IS NOT NULL AS e`, [`public.${table}`])) as { e: boolean }[];
      if (!exists[0]?.e) continue;
      await q.query(`
        CREATE TRIGGER ${table}_audit AFTER INSERT OR UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION audit_row_change()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of AUDITED) {
      await q.query(`DO $$ BEGIN IF to_regclass('public.${table}') IS NOT NULL THEN EXECUTE 'DROP TRIGGER IF EXISTS ${table}_audit ON ${table}'; END IF; END $$`);
    }
    await q.query(`DROP FUNCTION IF EXISTS audit_redact_values(text[])`);
    await q.query(`DROP FUNCTION IF EXISTS audit_row_change()`);
    await q.query(`DROP TABLE IF EXISTS audit_log`);
  }
}
