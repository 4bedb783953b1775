import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Candidates and contacts: the people of a pipeline. Same pattern as the foundation:
 * (tenant_id, id) primary keys, composite foreign keys, RLS enabled and forced, named
 * constraints. Timestamps are written by the application from the injected clock (millisecond
 * precision), which keeps keyset cursors exact.
 */
export class People1764150000000 implements MigrationInterface {
  name = 'People1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE candidates (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        email text,
        phone text,
        time_zone text,
        preferred_channel text,
        owner_user_id uuid,
        status text NOT NULL DEFAULT 'active',
        external_id text,
        external_source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT candidates_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT candidates_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT candidates_owner_fkey FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT candidates_external_key UNIQUE (tenant_id, external_source, external_id),
        CONSTRAINT candidates_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT candidates_phone_check CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        CONSTRAINT candidates_channel_check CHECK (preferred_channel IN ('email', 'sms')),
        CONSTRAINT candidates_status_check CHECK (status IN ('active', 'placed', 'inactive'))
      )`);
    // Default list order (newest first) and the updatedSince sync order.
    await q.query(`CREATE INDEX candidates_list_idx ON candidates (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX candidates_updated_idx ON candidates (tenant_id, updated_at, id)`);
    await q.query(`CREATE INDEX candidates_email_idx ON candidates (tenant_id, lower(email)) WHERE email IS NOT NULL`);
    await q.query(`CREATE INDEX candidates_phone_idx ON candidates (tenant_id, phone) WHERE phone IS NOT NULL`);
    await q.query(`CREATE INDEX candidates_owner_idx ON candidates (tenant_id, owner_user_id) WHERE owner_user_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE contacts (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        name text NOT NULL,
        email text,
        phone text,
        company text,
        title text,
        time_zone text,
        preferred_channel text,
        roles text[] NOT NULL DEFAULT '{}',
        external_id text,
        external_source text NOT NULL DEFAULT 'api',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz,
        CONSTRAINT contacts_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT contacts_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT contacts_external_key UNIQUE (tenant_id, external_source, external_id),
        CONSTRAINT contacts_name_check CHECK (char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT contacts_phone_check CHECK (phone ~ '^\\+[1-9][0-9]{6,14}$'),
        CONSTRAINT contacts_channel_check CHECK (preferred_channel IN ('email', 'sms')),
        CONSTRAINT contacts_roles_check CHECK (
          roles <@ ARRAY['employer_contact', 'interviewer', 'referrer', 'reference', 'staffing_firm']::text[])
      )`);
    await q.query(`CREATE INDEX contacts_list_idx ON contacts (tenant_id, created_at DESC, id DESC) WHERE deleted_at IS NULL`);
    await q.query(`CREATE INDEX contacts_updated_idx ON contacts (tenant_id, updated_at, id)`);
    await q.query(`CREATE INDEX contacts_email_idx ON contacts (tenant_id, lower(email)) WHERE email IS NOT NULL`);
    await q.query(`CREATE INDEX contacts_phone_idx ON contacts (tenant_id, phone) WHERE phone IS NOT NULL`);
    await q.query(`CREATE INDEX contacts_company_idx ON contacts (tenant_id, lower(company)) WHERE company IS NOT NULL`);

    for (const table of ['candidates', 'contacts']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    // Soft delete only: the app role gets no DELETE on people.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON candidates, contacts TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS contacts`);
    await q.query(`DROP TABLE IF EXISTS candidates`);
  }
}
