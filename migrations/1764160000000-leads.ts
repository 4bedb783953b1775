import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Leads and their status history. Same tenant-table pattern as the foundation. */
export class Leads1764160000000 implements MigrationInterface {
  name = 'Leads1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE leads (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid NOT NULL,
        company text NOT NULL,
        position text NOT NULL,
        source text NOT NULL DEFAULT 'other',
        referrer_contact_id uuid,
        employer_contact_id uuid,
        status text NOT NULL DEFAULT 'identified',
        resume_sent_at timestamptz,
        offer_at timestamptz,
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        external_id text,
        external_source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT leads_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT leads_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT leads_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT leads_referrer_fkey FOREIGN KEY (tenant_id, referrer_contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT leads_employer_contact_fkey FOREIGN KEY (tenant_id, employer_contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT leads_external_key UNIQUE (tenant_id, external_source, external_id),
        CONSTRAINT leads_company_check CHECK (char_length(company) BETWEEN 1 AND 200),
        CONSTRAINT leads_position_check CHECK (char_length(position) BETWEEN 1 AND 200),
        CONSTRAINT leads_source_check CHECK (source IN ('job_board', 'referral', 'staffing_firm', 'direct', 'other')),
        CONSTRAINT leads_status_check CHECK (
          status IN ('identified', 'applied', 'interviewing', 'offer', 'accepted', 'declined', 'rejected', 'withdrawn', 'closed'))
      )`);
    await q.query(`CREATE INDEX leads_list_idx ON leads (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX leads_updated_idx ON leads (tenant_id, updated_at, id)`);
    // Candidate.leads (DataLoader: candidate_id = ANY($2)) and the timeline.
    await q.query(`CREATE INDEX leads_candidate_idx ON leads (tenant_id, candidate_id, created_at) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX leads_referrer_idx ON leads (tenant_id, referrer_contact_id) WHERE referrer_contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX leads_employer_contact_idx ON leads (tenant_id, employer_contact_id) WHERE employer_contact_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE lead_status_history (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        lead_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        changed_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        actor_kind text,
        actor_id uuid,
        note text,
        CONSTRAINT lead_status_history_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT lead_status_history_lead_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id),
        CONSTRAINT lead_status_history_note_check CHECK (char_length(note) <= 2000)
      )`);
    await q.query(`CREATE INDEX lead_status_history_lead_idx ON lead_status_history (tenant_id, lead_id, changed_at)`);

    for (const table of ['leads', 'lead_status_history']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON leads TO touchpoint_app`);
    // History is append-only for the app.
    await q.query(`GRANT SELECT, INSERT ON lead_status_history TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS lead_status_history`);
    await q.query(`DROP TABLE IF EXISTS leads`);
  }
}
