import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Automatic promotion of template variants (issue 15).
 *
 *   - The audit log gains a `system` actor (actor_id: the nil UUID) for changes no user or API key
 *     made, written only through audit_system_change(): a promotion is recorded there. The app
 *     role still cannot INSERT into audit_log; the function writes into the current tenant only
 *     and only for the tables listed in it.
 *   - tenants_with_variant_promotion(): the tenants that turned promotion on, for the sweep that
 *     runs outside any tenant (the one cross-tenant read it needs, like claim_due_follow_ups).
 */
export class VariantPromotion1765400000001 implements MigrationInterface {
  name = 'VariantPromotion1765400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_check CHECK (actor_kind IN ('user', 'api_key', 'system'))`);
    await q.query(`
      CREATE FUNCTION audit_system_change(p_table text, p_row uuid, p_changes jsonb) RETURNS void
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
      BEGIN
        IF p_table NOT IN ('template_variants') THEN
          RAISE EXCEPTION 'audit_system_change: % is not a system-audited table', p_table;
        END IF;
        IF app_current_tenant() IS NULL THEN
          RAISE EXCEPTION 'audit_system_change: no current tenant';
        END IF;
        INSERT INTO audit_log (tenant_id, actor_kind, actor_id, table_name, row_id, action, changes)
        VALUES (app_current_tenant(), 'system', '00000000-0000-0000-0000-000000000000', p_table, p_row, 'update', p_changes);
      END $$`);
    await q.query(`REVOKE ALL ON FUNCTION audit_system_change(text, uuid, jsonb) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION audit_system_change(text, uuid, jsonb) TO touchpoint_app`);
    await q.query(`
      CREATE FUNCTION tenants_with_variant_promotion() RETURNS TABLE (id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$ SELECT t.id FROM tenants t WHERE (t.settings -> 'variantPromotion' ->> 'enabled') = 'true' ORDER BY t.id $$`);
    await q.query(`REVOKE ALL ON FUNCTION tenants_with_variant_promotion() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION tenants_with_variant_promotion() TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS tenants_with_variant_promotion()`);
    await q.query(`DROP FUNCTION IF EXISTS audit_system_change(text, uuid, jsonb)`);
    await q.query(`DELETE FROM audit_log WHERE actor_kind = 'system'`);
    await q.query(`ALTER TABLE audit_log DROP CONSTRAINT audit_log_actor_check`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_actor_check CHECK (actor_kind IN ('user', 'api_key'))`);
  }
}
