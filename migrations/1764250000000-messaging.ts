import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messaging: messages in and out, the consent registry (current state + history), per-person
 * engagement (what channel matching and check-ins read), the tenant's sender settings, and the
 * one SECURITY DEFINER lookup the inbound webhooks need before a tenant is known.
 *
 * Same pattern as the foundation: (tenant_id, id) primary keys, composite foreign keys, RLS
 * enabled and forced, named constraints. A person is a candidate or a contact: two nullable
 * composite foreign keys and a check that at most one is set (exactly one for everything except
 * an unmatched inbound message).
 */
export class Messaging1764250000000 implements MigrationInterface {
  name = 'Messaging1764250000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE messages (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        user_id uuid,
        follow_up_id uuid,
        direction text NOT NULL,
        channel text NOT NULL,
        status text NOT NULL,
        provider text NOT NULL,
        provider_id text,
        from_address text,
        to_address text,
        subject text,
        body text,
        error_code text,
        error_message text,
        in_reply_to text,
        reply_state text,
        matched boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT messages_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT messages_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT messages_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT messages_user_fkey FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT messages_provider_id_key UNIQUE (tenant_id, provider, provider_id),
        CONSTRAINT messages_direction_check CHECK (direction IN ('in', 'out')),
        CONSTRAINT messages_channel_check CHECK (channel IN ('email', 'sms')),
        CONSTRAINT messages_status_check CHECK (status IN (
          'sending', 'queued', 'accepted', 'sent', 'delivered', 'undelivered', 'failed', 'received', 'simulated', 'unknown')),
        CONSTRAINT messages_provider_check CHECK (provider IN ('twilio', 'smtp', 'log')),
        CONSTRAINT messages_person_check CHECK (
          (candidate_id IS NULL OR contact_id IS NULL)
          AND (direction = 'in' OR candidate_id IS NOT NULL OR contact_id IS NOT NULL)),
        CONSTRAINT messages_matched_check CHECK (matched = (candidate_id IS NOT NULL OR contact_id IS NOT NULL)),
        CONSTRAINT messages_reply_state_check CHECK (
          (direction = 'in' AND reply_state IN ('open', 'answered', 'handled'))
          OR (direction = 'out' AND reply_state IS NULL))
      )`);
    // GET /v1/messages (newest first), and the timeline of one person.
    await q.query(`CREATE INDEX messages_list_idx ON messages (tenant_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX messages_candidate_idx ON messages (tenant_id, candidate_id, created_at DESC) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_contact_idx ON messages (tenant_id, contact_id, created_at DESC) WHERE contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_follow_up_idx ON messages (tenant_id, follow_up_id) WHERE follow_up_id IS NOT NULL`);
    // "Replies to answer" on the agenda (issue 8).
    await q.query(`CREATE INDEX messages_open_replies_idx ON messages (tenant_id, created_at) WHERE reply_state = 'open'`);

    await q.query(`
      CREATE TABLE consents (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        channel text NOT NULL,
        status text NOT NULL,
        source text NOT NULL,
        changed_at timestamptz NOT NULL,
        CONSTRAINT consents_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT consents_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT consents_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT consents_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT consents_person_check CHECK ((candidate_id IS NULL) <> (contact_id IS NULL)),
        CONSTRAINT consents_channel_check CHECK (channel IN ('email', 'sms')),
        CONSTRAINT consents_status_check CHECK (status IN ('opted_in', 'opted_out')),
        CONSTRAINT consents_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error'))
      )`);
    await q.query(`CREATE UNIQUE INDEX consents_candidate_key ON consents (tenant_id, candidate_id, channel) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX consents_contact_key ON consents (tenant_id, contact_id, channel) WHERE contact_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE consent_events (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        channel text NOT NULL,
        status text NOT NULL,
        source text NOT NULL,
        message_id uuid,
        actor_kind text,
        actor_id uuid,
        created_at timestamptz NOT NULL,
        CONSTRAINT consent_events_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT consent_events_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT consent_events_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT consent_events_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT consent_events_message_fkey FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
        CONSTRAINT consent_events_person_check CHECK ((candidate_id IS NULL) <> (contact_id IS NULL)),
        CONSTRAINT consent_events_channel_check CHECK (channel IN ('email', 'sms')),
        CONSTRAINT consent_events_status_check CHECK (status IN ('opted_in', 'opted_out')),
        CONSTRAINT consent_events_source_check CHECK (source IN ('keyword', 'link', 'api', 'provider_error')),
        CONSTRAINT consent_events_actor_check CHECK (actor_kind IS NULL OR actor_kind IN ('user', 'api_key', 'system'))
      )`);
    await q.query(`CREATE INDEX consent_events_candidate_idx ON consent_events (tenant_id, candidate_id, created_at) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX consent_events_contact_idx ON consent_events (tenant_id, contact_id, created_at) WHERE contact_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE person_engagement (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        candidate_id uuid,
        contact_id uuid,
        last_inbound_channel text,
        last_inbound_at timestamptz,
        last_outbound_at timestamptz,
        last_contact_at timestamptz,
        first_sms_at timestamptz,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT person_engagement_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT person_engagement_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT person_engagement_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT person_engagement_contact_fkey FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT person_engagement_person_check CHECK ((candidate_id IS NULL) <> (contact_id IS NULL)),
        CONSTRAINT person_engagement_channel_check CHECK (last_inbound_channel IN ('email', 'sms', 'phone'))
      )`);
    await q.query(`CREATE UNIQUE INDEX person_engagement_candidate_key ON person_engagement (tenant_id, candidate_id) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE UNIQUE INDEX person_engagement_contact_key ON person_engagement (tenant_id, contact_id) WHERE contact_id IS NOT NULL`);

    // One row per tenant. The Twilio auth token is AES-256-GCM sealed with ENCRYPTION_KEY
    // (common/crypto.ts); the inbound-email secret is stored only as its SHA-256.
    await q.query(`
      CREATE TABLE tenant_senders (
        tenant_id uuid NOT NULL,
        email_from_name text,
        email_from_address text,
        email_reply_to text,
        twilio_account_sid text,
        twilio_auth_token_encrypted text,
        twilio_auth_token_last4 text,
        twilio_messaging_service_sid text,
        twilio_from text,
        inbound_email_secret_hash text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT tenant_senders_pkey PRIMARY KEY (tenant_id),
        CONSTRAINT tenant_senders_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT tenant_senders_account_sid_check CHECK (twilio_account_sid ~ '^AC[0-9a-fA-F]{32}$'),
        CONSTRAINT tenant_senders_service_sid_check CHECK (twilio_messaging_service_sid ~ '^MG[0-9a-fA-F]{32}$'),
        CONSTRAINT tenant_senders_from_check CHECK (twilio_from ~ '^\\+[1-9][0-9]{6,14}$'),
        CONSTRAINT tenant_senders_twilio_check CHECK (
          twilio_account_sid IS NULL
          OR (twilio_auth_token_encrypted IS NOT NULL AND (twilio_messaging_service_sid IS NOT NULL OR twilio_from IS NOT NULL)))
      )`);

    for (const table of ['messages', 'consents', 'consent_events', 'person_engagement', 'tenant_senders']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    }
    // History is append-only; messages are never deleted by the app (erasure blanks them).
    await q.query(`GRANT SELECT, INSERT, UPDATE ON messages, consents, person_engagement, tenant_senders TO touchpoint_app`);
    await q.query(`GRANT SELECT, INSERT ON consent_events TO touchpoint_app`);

    // The inbound webhooks name the tenant by its webhook_key and must authenticate the request
    // (Twilio signature, email secret) before anything else. This answers for exactly one key
    // and returns only what that check needs; everything after it runs inside the tenant, under RLS.
    await q.query(`
      CREATE FUNCTION messaging_webhook_tenant(p_webhook_key text)
      RETURNS TABLE (tenant_id uuid, tenant_status text, twilio_account_sid text,
                     twilio_auth_token_encrypted text, inbound_email_secret_hash text)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT t.id, t.status, s.twilio_account_sid, s.twilio_auth_token_encrypted, s.inbound_email_secret_hash
        FROM tenants t LEFT JOIN tenant_senders s ON s.tenant_id = t.id
        WHERE t.webhook_key = p_webhook_key
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION messaging_webhook_tenant(text) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION messaging_webhook_tenant(text) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS messaging_webhook_tenant(text)`);
    await q.query(`DROP TABLE IF EXISTS tenant_senders`);
    await q.query(`DROP TABLE IF EXISTS person_engagement`);
    await q.query(`DROP TABLE IF EXISTS consent_events`);
    await q.query(`DROP TABLE IF EXISTS consents`);
    await q.query(`DROP TABLE IF EXISTS messages`);
  }
}
