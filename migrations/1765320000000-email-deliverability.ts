import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bounces and complaints (issue 16).
 *
 *   email_delivery_events  every delivery event a provider (or a DSN) reported, once per
 *                          (provider, provider_event_id): replays change nothing. kind: delivered,
 *                          hard_bounce, soft_bounce, complaint. The person and our message when known.
 *   email_undeliverable    a person's address that must not be emailed: a hard bounce, or 3 soft
 *                          bounces within 72 hours. Deleted when the address is corrected.
 *   consents.source        + 'complaint': a spam complaint opts the person out of email.
 */
export class EmailDeliverability1765320000000 implements MigrationInterface {
  name = 'EmailDeliverability1765320000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE email_delivery_events (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        provider_event_id text NOT NULL,
        kind text NOT NULL,
        address text NOT NULL,
        candidate_id uuid,
        contact_id uuid,
        message_id uuid,
        diagnostic text,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL,
        CONSTRAINT email_delivery_events_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT email_delivery_events_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT email_delivery_events_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT email_delivery_events_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT email_delivery_events_message_fkey FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
        CONSTRAINT email_delivery_events_key UNIQUE (tenant_id, provider, provider_event_id),
        CONSTRAINT email_delivery_events_kind_check CHECK (kind IN ('delivered', 'hard_bounce', 'soft_bounce', 'complaint')),
        CONSTRAINT email_delivery_events_provider_check CHECK (provider IN ('generic', 'sendgrid', 'ses', 'postmark', 'dsn')),
        CONSTRAINT email_delivery_events_person_check CHECK (candidate_id IS NULL OR contact_id IS NULL)
      )`);
    // Soft bounces of one address in the last 72 hours.
    await q.query(`CREATE INDEX email_delivery_events_address_idx ON email_delivery_events (tenant_id, lower(address), occurred_at) WHERE kind = 'soft_bounce'`);

    await q.query(`
      CREATE TABLE email_undeliverable (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        address text NOT NULL,
        since timestamptz NOT NULL,
        reason text NOT NULL,
        event_id uuid,
        CONSTRAINT email_undeliverable_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT email_undeliverable_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT email_undeliverable_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT email_undeliverable_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT email_undeliverable_event_fkey FOREIGN KEY (tenant_id, event_id) REFERENCES email_delivery_events (tenant_id, id),
        CONSTRAINT email_undeliverable_person_check CHECK ((candidate_id IS NULL) <> (contact_id IS NULL))
      )`);
    await q.query(`CREATE UNIQUE INDEX email_undeliverable_candidate_key ON email_undeliverable (tenant_id, candidate_id, lower(address)) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX email_undeliverable_contact_key ON email_undeliverable (tenant_id, contact_id, lower(address)) WHERE contact_id IS NOT NULL`);

    for (const table of ['email_delivery_events', 'email_undeliverable']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON email_delivery_events TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON email_undeliverable TO touchpoint_app`);

    await q.query(`ALTER TABLE consents DROP CONSTRAINT consents_source_check`);
    await q.query(`ALTER TABLE consents ADD CONSTRAINT consents_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error', 'complaint'))`);
    await q.query(`ALTER TABLE consent_events DROP CONSTRAINT IF EXISTS consent_events_source_check`);
    await q.query(`ALTER TABLE consent_events ADD CONSTRAINT consent_events_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error', 'complaint'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE consent_events DROP CONSTRAINT consent_events_source_check`);
    await q.query(`ALTER TABLE consent_events ADD CONSTRAINT consent_events_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error'))`);
    await q.query(`ALTER TABLE consents DROP CONSTRAINT consents_source_check`);
    await q.query(`ALTER TABLE consents ADD CONSTRAINT consents_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error'))`);
    await q.query(`DROP TABLE email_undeliverable`);
    await q.query(`DROP TABLE email_delivery_events`);
  }
}
