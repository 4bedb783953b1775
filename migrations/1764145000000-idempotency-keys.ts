import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Idempotency-Key for POST: one row per (tenant, key). The primary key is what makes two
 * concurrent requests with the same key race safely: exactly one INSERT wins, the other sees
 * the row (in progress or completed) and never runs the handler.
 */
export class IdempotencyKeys1764145000000 implements MigrationInterface {
  name = 'IdempotencyKeys1764145000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE idempotency_keys (
        tenant_id uuid NOT NULL,
        key text NOT NULL,
        request_method text NOT NULL,
        request_path text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL DEFAULT 'in_progress',
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT idempotency_keys_pkey PRIMARY KEY (tenant_id, key),
        CONSTRAINT idempotency_keys_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT idempotency_keys_state_check CHECK (state IN ('in_progress', 'completed')),
        CONSTRAINT idempotency_keys_key_check CHECK (char_length(key) BETWEEN 1 AND 255)
      )`);
    await q.query(`CREATE INDEX idempotency_keys_created_idx ON idempotency_keys (created_at)`);
    await q.query(`ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE idempotency_keys FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY idempotency_keys_isolation ON idempotency_keys
        USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON idempotency_keys TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS idempotency_keys`);
  }
}
