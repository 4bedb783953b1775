import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * References (a contact who vouches for a candidate) and the leads each was provided to.
 * A (reference, lead) pair is provided once: the unique key makes "provide" idempotent.
 * The table is candidate_references, not references (a reserved word that every raw query would
 * have to quote).
 */
export class References1764180000000 implements MigrationInterface {
  name = 'References1764180000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE candidate_references (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        relationship text NOT NULL,
        external_id text,
        external_source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT candidate_references_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT candidate_references_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT candidate_references_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT candidate_references_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT candidate_references_external_key UNIQUE (tenant_id, external_source, external_id),
        CONSTRAINT candidate_references_relationship_check CHECK (char_length(relationship) BETWEEN 1 AND 200)
      )`);
    // One live reference per (candidate, contact).
    await q.query(`CREATE UNIQUE INDEX candidate_references_candidate_contact_key ON candidate_references (tenant_id, candidate_id, contact_id) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX candidate_references_list_idx ON candidate_references (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX candidate_references_updated_idx ON candidate_references (tenant_id, updated_at, id)`);
    await q.query(`CREATE INDEX candidate_references_contact_idx ON candidate_references (tenant_id, contact_id)`);

    await q.query(`
      CREATE TABLE reference_provisions (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        reference_id uuid NOT NULL,
        lead_id uuid NOT NULL,
        provided_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        actor_kind text,
        actor_id uuid,
        CONSTRAINT reference_provisions_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT reference_provisions_reference_fkey FOREIGN KEY (tenant_id, reference_id) REFERENCES candidate_references (tenant_id, id),
        CONSTRAINT reference_provisions_lead_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id),
        CONSTRAINT reference_provisions_reference_lead_key UNIQUE (tenant_id, reference_id, lead_id)
      )`);
    await q.query(`CREATE INDEX reference_provisions_lead_idx ON reference_provisions (tenant_id, lead_id)`);

    for (const table of ['candidate_references', 'reference_provisions']) {
      const name = table.replace(/"/g, '');
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON candidate_references, reference_provisions TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS reference_provisions`);
    await q.query(`DROP TABLE IF EXISTS candidate_references`);
  }
}
