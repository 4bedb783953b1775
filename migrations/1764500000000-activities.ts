import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The recruiter's working loop (issue 8, without the audit log):
 *   - activities: calls, meetings and notes a recruiter logs by hand (a person is a candidate or a
 *     contact: two nullable composite foreign keys, exactly one set);
 *   - follow_ups gains the stored text of a one-off message (rule 'one_off': subject, body, and
 *     the channel the request named, if any);
 *   - users gain a per-user switch for reply notification emails (the tenant switch lives in
 *     tenants.settings.notifications.replyEmails);
 *   - candidates and contacts gain erased_at, and suppressions keep the SHA-256 of an erased
 *     person's normalised email and phone, so the same person cannot be created or imported again.
 * Same pattern as the foundation: (tenant_id, id) keys, composite FKs, RLS enabled and forced.
 */
export class Activities1764500000000 implements MigrationInterface {
  name = 'Activities1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE activities (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        user_id uuid,
        api_key_id uuid,
        direction text NOT NULL,
        channel text NOT NULL,
        kind text NOT NULL,
        summary text,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT activities_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT activities_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT activities_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT activities_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT activities_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT activities_api_key_fkey FOREIGN KEY (tenant_id, api_key_id) REFERENCES api_keys (tenant_id, id),
        CONSTRAINT activities_person_check CHECK ((candidate_id IS NULL) <> (contact_id IS NULL)),
        CONSTRAINT activities_direction_check CHECK (direction IN ('in', 'out')),
        CONSTRAINT activities_channel_check CHECK (channel IN ('phone', 'in_person', 'other')),
        CONSTRAINT activities_kind_check CHECK (kind IN ('call', 'meeting', 'note')),
        CONSTRAINT activities_summary_check CHECK (char_length(summary) <= 5000)
      )`);
    // GET /v1/activities (newest first) and one person's activities (timeline).
    await q.query(`CREATE INDEX activities_list_idx ON activities (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX activities_candidate_idx ON activities (tenant_id, candidate_id, occurred_at) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX activities_contact_idx ON activities (tenant_id, contact_id, occurred_at) WHERE contact_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE suppressions (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        kind text NOT NULL,
        value_hash text NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT suppressions_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT suppressions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT suppressions_value_key UNIQUE (tenant_id, kind, value_hash),
        CONSTRAINT suppressions_kind_check CHECK (kind IN ('email', 'phone')),
        CONSTRAINT suppressions_hash_check CHECK (value_hash ~ '^[0-9a-f]{64}$')
      )`);

    for (const table of ['activities', 'suppressions']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    // Activities are never deleted (erasure blanks the summary); suppressions only grow.
    await q.query(`GRANT SELECT, INSERT, UPDATE ON activities TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT ON suppressions TO touchpoint_app`);

    // One-off messages are follow-ups of rule 'one_off' that carry their own text. No CHECK ties
    // the text to the status: erasure may remove it while a dispatcher holds the row, and lease
    // recovery or a retry must still be able to move that row (the executor cancels a one-off
    // without text).
    await q.query(`ALTER TABLE follow_ups ADD COLUMN subject text, ADD COLUMN body text, ADD COLUMN requested_channel text`);
    await q.query(`ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_requested_channel_check CHECK (requested_channel IN ('email', 'sms'))`);

    await q.query(`ALTER TABLE users ADD COLUMN notify_replies boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE candidates ADD COLUMN erased_at timestamptz`);
    await q.query(`ALTER TABLE contacts ADD COLUMN erased_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE contacts DROP COLUMN IF EXISTS erased_at`);
    await q.query(`ALTER TABLE candidates DROP COLUMN IF EXISTS erased_at`);
    await q.query(`ALTER TABLE users DROP COLUMN IF EXISTS notify_replies`);
    await q.query(`ALTER TABLE follow_ups DROP CONSTRAINT IF EXISTS follow_ups_requested_channel_check`);
    await q.query(`ALTER TABLE follow_ups DROP COLUMN IF EXISTS requested_channel, DROP COLUMN IF EXISTS body, DROP COLUMN IF EXISTS subject`);
    await q.query(`DROP TABLE IF EXISTS suppressions`);
    await q.query(`DROP TABLE IF EXISTS activities`);
  }
}
