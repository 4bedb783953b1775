import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Erasure redacts only the erased person's own audit rows, values only, and records each
 * redaction append-only (issue 18).
 *
 * `audit_redact_values(text[])` replaced matching JSON text across every audit row of the tenant,
 * keys included: erasing a person named `email` or `role` rewrote other users' entries into
 * `{"[erased]": …}`. Its replacement, `audit_redact_person(person_id, values)`:
 *   - touches only the person's rows: entries whose row is the person, and entries about rows that
 *     ever referred to them (a lead, a follow-up, a consent whose before or after holds the id);
 *   - redacts the values given and every value the person's name, email, phone, external id,
 *     company and title ever held in their own entries;
 *   - rewrites only the `before` / `after` values of each field (strings, and strings in arrays);
 *     keys, the actor, the table, the action and the time are never changed;
 *   - writes one `audit_redactions` row per changed entry (which entry, which fields, who erased,
 *     when), a table the app role may only read.
 */
export class AuditRedactions1765200000000 implements MigrationInterface {
  name = 'AuditRedactions1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_redactions (
        tenant_id uuid NOT NULL,
        id bigint GENERATED ALWAYS AS IDENTITY,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        audit_log_id bigint NOT NULL,
        person_id uuid NOT NULL,
        fields text[] NOT NULL,
        actor_kind text,
        actor_id uuid,
        CONSTRAINT audit_redactions_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT audit_redactions_entry_fkey FOREIGN KEY (tenant_id, audit_log_id) REFERENCES audit_log (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX audit_redactions_entry_idx ON audit_redactions (tenant_id, audit_log_id)`);
    await q.query(`ALTER TABLE audit_redactions ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE audit_redactions FORCE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY audit_redactions_isolation ON audit_redactions USING (tenant_id = app_current_tenant())`);
    await q.query(`GRANT SELECT ON audit_redactions TO touchpoint_app`);

    await q.query(`DROP FUNCTION IF EXISTS audit_redact_values(text[])`);
    // One value (a json string or anything else) with every erased value replaced by the marker.
    await q.query(`
      CREATE FUNCTION audit_redact_json(p_value jsonb, p_values text[]) RETURNS jsonb
      LANGUAGE plpgsql IMMUTABLE SET search_path = public, pg_temp
      AS $$
      DECLARE
        v_text text;
        v text;
      BEGIN
        IF p_value IS NULL THEN
          RETURN NULL;
        ELSIF jsonb_typeof(p_value) = 'string' THEN
          v_text := p_value #>> '{}';
          FOREACH v IN ARRAY p_values LOOP
            v_text := replace(v_text, v, '[erased]');
          END LOOP;
          RETURN to_jsonb(v_text);
        ELSIF jsonb_typeof(p_value) = 'array' THEN
          RETURN coalesce((SELECT jsonb_agg(audit_redact_json(e, p_values) ORDER BY n) FROM jsonb_array_elements(p_value) WITH ORDINALITY AS a(e, n)), '[]'::jsonb);
        ELSE
          RETURN p_value;
        END IF;
      END $$`);
    await q.query(`
      CREATE FUNCTION audit_redact_person(p_person uuid, p_values text[]) RETURNS integer
      LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
      DECLARE
        v_tenant uuid := app_current_tenant();
        v_kind text := NULLIF(current_setting('app.actor_kind', true), '');
        v_actor uuid := NULLIF(current_setting('app.actor_id', true), '')::uuid;
        v_values text[];
        v_entry record;
        v_key text;
        v_field jsonb;
        v_new jsonb;
        v_changes jsonb;
        v_fields text[];
        v_count integer := 0;
      BEGIN
        IF v_tenant IS NULL THEN
          RAISE EXCEPTION 'no tenant in this transaction';
        END IF;
        -- The values given, and every value the person's own identifying fields ever held (an old
        -- phone number is in the entry that changed it). Longest first, so a name is replaced
        -- before a part of it; values shorter than 3 characters would match too much.
        SELECT coalesce(array_agg(v ORDER BY length(v) DESC), '{}') INTO v_values
        FROM (
          SELECT DISTINCT v FROM (
            SELECT unnest(p_values) AS v
            UNION ALL
            SELECT x.value ->> side FROM audit_log a, jsonb_each(a.changes) x, unnest(ARRAY['before', 'after']) side
            WHERE a.tenant_id = v_tenant AND a.row_id = p_person AND a.table_name IN ('candidates', 'contacts')
              AND x.key IN ('name', 'email', 'phone', 'external_id', 'company', 'title')
              AND jsonb_typeof(x.value) = 'object' AND jsonb_typeof(x.value -> side) = 'string'
          ) all_values
          WHERE v IS NOT NULL AND length(v) >= 3 AND v NOT IN ('[erased]', 'Erased person')
        ) s;
        IF cardinality(v_values) = 0 THEN
          RETURN 0;
        END IF;
        FOR v_entry IN
          SELECT a.id, a.changes FROM audit_log a
          WHERE a.tenant_id = v_tenant
            AND a.row_id IN (
              SELECT p_person
              UNION
              SELECT r.row_id FROM audit_log r, jsonb_each(r.changes) e
              WHERE r.tenant_id = v_tenant AND r.row_id IS NOT NULL AND jsonb_typeof(e.value) = 'object'
                AND (e.value ->> 'before' = p_person::text OR e.value ->> 'after' = p_person::text))
          ORDER BY a.id
          FOR UPDATE
        LOOP
          v_changes := '{}'::jsonb;
          v_fields := '{}';
          FOR v_key, v_field IN SELECT key, value FROM jsonb_each(v_entry.changes) LOOP
            IF jsonb_typeof(v_field) = 'object' THEN
              v_new := v_field;
              IF v_field ? 'before' THEN v_new := jsonb_set(v_new, '{before}', coalesce(audit_redact_json(v_field -> 'before', v_values), 'null'::jsonb)); END IF;
              IF v_field ? 'after' THEN v_new := jsonb_set(v_new, '{after}', coalesce(audit_redact_json(v_field -> 'after', v_values), 'null'::jsonb)); END IF;
            ELSE
              v_new := v_field;
            END IF;
            IF v_new IS DISTINCT FROM v_field THEN
              v_fields := v_fields || v_key;
            END IF;
            v_changes := v_changes || jsonb_build_object(v_key, v_new);
          END LOOP;
          CONTINUE WHEN cardinality(v_fields) = 0;
          UPDATE audit_log SET changes = v_changes WHERE tenant_id = v_tenant AND id = v_entry.id;
          INSERT INTO audit_redactions (tenant_id, audit_log_id, person_id, fields, actor_kind, actor_id)
          VALUES (v_tenant, v_entry.id, p_person, v_fields, v_kind, v_actor);
          v_count := v_count + 1;
        END LOOP;
        RETURN v_count;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_redact_person(uuid, text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION audit_redact_person(uuid, text[]) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS audit_redact_person(uuid, text[])`);
    await q.query(`DROP FUNCTION IF EXISTS audit_redact_json(jsonb, text[])`);
    await q.query(`DROP TABLE IF EXISTS audit_redactions`);
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
          CONTINUE WHEN v_value IS NULL OR length(v_value) < 3 OR v_value ~ '["\\\\[:cntrl:]]';
          UPDATE audit_log SET changes = replace(changes::text, to_jsonb(v_value)::text, '"[erased]"')::jsonb
          WHERE tenant_id = v_tenant AND strpos(changes::text, to_jsonb(v_value)::text) > 0;
          GET DIAGNOSTICS v_n = ROW_COUNT;
          v_count := v_count + v_n;
        END LOOP;
        RETURN v_count;
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_redact_values(text[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION audit_redact_values(text[]) TO touchpoint_app`);
  }
}
