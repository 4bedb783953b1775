import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interviews, their interviewers (contacts) and their reschedule history. Same tenant-table
 * pattern as the foundation.
 */
export class Interviews1764170000000 implements MigrationInterface {
  name = 'Interviews1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE interviews (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        lead_id uuid NOT NULL,
        candidate_id uuid NOT NULL,
        starts_at timestamptz NOT NULL,
        duration_minutes integer NOT NULL,
        format text NOT NULL,
        location text,
        meeting_url text,
        time_zone text,
        scheduled_by text NOT NULL DEFAULT 'employer',
        scheduled_by_contact_id uuid,
        status text NOT NULL DEFAULT 'scheduled',
        status_changed_at timestamptz NOT NULL DEFAULT now(),
        cancel_reason text,
        external_id text,
        external_source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT interviews_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT interviews_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT interviews_lead_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id),
        CONSTRAINT interviews_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT interviews_scheduled_by_contact_fkey FOREIGN KEY (tenant_id, scheduled_by_contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT interviews_external_key UNIQUE (tenant_id, external_source, external_id),
        CONSTRAINT interviews_duration_check CHECK (duration_minutes BETWEEN 1 AND 1440),
        CONSTRAINT interviews_format_check CHECK (format IN ('phone', 'video', 'in_person')),
        CONSTRAINT interviews_scheduled_by_check CHECK (scheduled_by IN ('employer', 'staffing_firm')),
        CONSTRAINT interviews_status_check CHECK (status IN ('scheduled', 'confirmed', 'completed', 'cancelled', 'no_show'))
      )`);
    await q.query(`CREATE INDEX interviews_list_idx ON interviews (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX interviews_updated_idx ON interviews (tenant_id, updated_at, id)`);
    await q.query(`CREATE INDEX interviews_lead_idx ON interviews (tenant_id, lead_id, starts_at) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX interviews_candidate_idx ON interviews (tenant_id, candidate_id, starts_at) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX interviews_starts_idx ON interviews (tenant_id, starts_at) WHERE deleted_at IS NULL`);

    await q.query(`
      CREATE TABLE interview_interviewers (
        tenant_id uuid NOT NULL,
        interview_id uuid NOT NULL,
        contact_id uuid NOT NULL,
        position smallint NOT NULL DEFAULT 0,
        CONSTRAINT interview_interviewers_pkey PRIMARY KEY (tenant_id, interview_id, contact_id),
        CONSTRAINT interview_interviewers_interview_fkey FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id),
        CONSTRAINT interview_interviewers_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id)
      )`);
    await q.query(`CREATE INDEX interview_interviewers_contact_idx ON interview_interviewers (tenant_id, contact_id)`);

    await q.query(`
      CREATE TABLE interview_reschedules (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        interview_id uuid NOT NULL,
        previous_starts_at timestamptz NOT NULL,
        previous_duration_minutes integer NOT NULL,
        new_starts_at timestamptz NOT NULL,
        new_duration_minutes integer NOT NULL,
        reason text,
        rescheduled_at timestamptz NOT NULL,
        actor_kind text,
        actor_id uuid,
        CONSTRAINT interview_reschedules_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT interview_reschedules_interview_fkey FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id),
        CONSTRAINT interview_reschedules_reason_check CHECK (char_length(reason) <= 2000)
      )`);
    await q.query(`CREATE INDEX interview_reschedules_interview_idx ON interview_reschedules (tenant_id, interview_id, rescheduled_at)`);

    for (const table of ['interviews', 'interview_interviewers', 'interview_reschedules']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON interviews TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON interview_interviewers TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT ON interview_reschedules TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS interview_reschedules`);
    await q.query(`DROP TABLE IF EXISTS interview_interviewers`);
    await q.query(`DROP TABLE IF EXISTS interviews`);
  }
}
