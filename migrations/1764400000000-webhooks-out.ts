import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Signed webhooks out, through a transactional outbox.
 *
 * outbox_events: one row per domain event of the webhook catalog, INSERTed by TenantTx in the
 *   same transaction as the change (src/events/outbox.ts), so a committed change always has its
 *   event and a rolled-back one never does. Its id is the event id receivers dedupe on.
 * webhook_deliveries: one row per (subscription, event), fanned out in that same statement for
 *   the tenant's matching subscriptions. UNIQUE (tenant_id, subscription_id, event_id): an event
 *   is queued once per subscription, whatever retries or redeliveries follow.
 * webhook_delivery_attempts: the delivery log, one row per HTTP attempt.
 *
 * The delivery worker shares the follow-up dispatcher's mechanics: claim_due_webhook_deliveries()
 * leases due rows (FOR UPDATE SKIP LOCKED in a MATERIALIZED CTE, p_now from the injected clock),
 * the POST happens outside any transaction, and the result is recorded guarded by the lease.
 * A worker that dies leaves its rows 'sending'; recover_expired_webhook_leases() returns them to
 * 'pending' after the lease. Such a row may already have reached the receiver: delivery is
 * at-least-once and receivers dedupe by event id (Touchpoint-Event-Id).
 */
export class WebhooksOut1764400000000 implements MigrationInterface {
  name = 'WebhooksOut1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE webhook_subscriptions (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        url text NOT NULL,
        description text,
        event_types text[] NOT NULL,
        secret_encrypted text NOT NULL,
        status text NOT NULL DEFAULT 'active',
        failing_since timestamptz,
        created_by_user_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT webhook_subscriptions_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT webhook_subscriptions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT webhook_subscriptions_created_by_fkey FOREIGN KEY (tenant_id, created_by_user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT webhook_subscriptions_status_check CHECK (status IN ('active', 'paused', 'failing')),
        CONSTRAINT webhook_subscriptions_event_types_check CHECK (cardinality(event_types) >= 1)
      )`);
    // The fan-out reads the tenant's subscriptions on every catalog event.
    await q.query(`CREATE INDEX webhook_subscriptions_tenant_idx ON webhook_subscriptions (tenant_id) WHERE status <> 'paused'`);

    await q.query(`
      CREATE TABLE outbox_events (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        occurred_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT outbox_events_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT outbox_events_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX outbox_events_occurred_idx ON outbox_events (tenant_id, occurred_at)`);

    await q.query(`
      CREATE TABLE webhook_deliveries (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL,
        event_id uuid NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        claimed_by text,
        last_status_code integer,
        last_latency_ms integer,
        last_error text,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CONSTRAINT webhook_deliveries_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT webhook_deliveries_subscription_event_key UNIQUE (tenant_id, subscription_id, event_id),
        CONSTRAINT webhook_deliveries_subscription_fkey FOREIGN KEY (tenant_id, subscription_id)
          REFERENCES webhook_subscriptions (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT webhook_deliveries_event_fkey FOREIGN KEY (tenant_id, event_id)
          REFERENCES outbox_events (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT webhook_deliveries_status_check CHECK (status IN ('pending', 'sending', 'delivered', 'failed', 'dead'))
      )`);
    // The claim: only pending rows, in due order. Delivered history never enters it.
    await q.query(`CREATE INDEX webhook_deliveries_claim_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    // Lease recovery: rows a crashed worker left in 'sending'.
    await q.query(`CREATE INDEX webhook_deliveries_lease_idx ON webhook_deliveries (lease_until) WHERE status = 'sending'`);
    // The delivery log of one subscription, newest first.
    await q.query(`CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (tenant_id, subscription_id, created_at DESC, id DESC)`);
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (tenant_id, event_id)`);

    await q.query(`
      CREATE TABLE webhook_delivery_attempts (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        delivery_id uuid NOT NULL,
        attempt integer NOT NULL,
        status_code integer,
        latency_ms integer NOT NULL,
        error text,
        at timestamptz NOT NULL,
        CONSTRAINT webhook_delivery_attempts_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT webhook_delivery_attempts_delivery_fkey FOREIGN KEY (tenant_id, delivery_id)
          REFERENCES webhook_deliveries (tenant_id, id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX webhook_delivery_attempts_delivery_idx ON webhook_delivery_attempts (tenant_id, delivery_id, attempt)`);

    for (const table of ['webhook_subscriptions', 'outbox_events', 'webhook_deliveries', 'webhook_delivery_attempts']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO touchpoint_app`);
    }

    /*
     * The claim, shaped like claim_due_follow_ups: fair across tenants (at most p_per_tenant rows
     * of one tenant per batch), p_now from the injected clock, LIMIT kept inside MATERIALIZED CTEs.
     * Deliveries of a paused subscription stay pending (held) until it is resumed.
     *
     *   WITH locked AS MATERIALIZED (
     *     SELECT d.tenant_id, d.id, d.next_attempt_at FROM webhook_deliveries d
     *     WHERE d.status = 'pending' AND d.next_attempt_at <= $now     -- webhook_deliveries_claim_idx
     *       AND NOT EXISTS (paused subscription)
     *     ORDER BY d.next_attempt_at LIMIT $limit * 8 FOR UPDATE OF d SKIP LOCKED
     *   ), fair AS MATERIALIZED (... row_number() OVER (PARTITION BY tenant_id) <= $per_tenant LIMIT $limit)
     *   UPDATE webhook_deliveries SET status = 'sending', lease_until = $now + $lease, claimed_by = $worker,
     *          attempts = attempts + 1 ...
     */
    await q.query(`
      CREATE FUNCTION claim_due_webhook_deliveries(p_now timestamptz, p_limit integer, p_per_tenant integer, p_lease interval, p_worker text)
      RETURNS TABLE (tenant_id uuid, id uuid, attempts integer)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH locked AS MATERIALIZED (
          SELECT d.tenant_id, d.id, d.next_attempt_at
          FROM webhook_deliveries d
          WHERE d.status = 'pending' AND d.next_attempt_at <= p_now
            AND NOT EXISTS (SELECT 1 FROM webhook_subscriptions s
                            WHERE s.tenant_id = d.tenant_id AND s.id = d.subscription_id AND s.status = 'paused')
          ORDER BY d.next_attempt_at
          LIMIT p_limit * 8
          FOR UPDATE OF d SKIP LOCKED
        ), fair AS MATERIALIZED (
          SELECT r.tenant_id, r.id FROM (
            SELECT l.tenant_id, l.id, l.next_attempt_at,
                   row_number() OVER (PARTITION BY l.tenant_id ORDER BY l.next_attempt_at) AS rn
            FROM locked l
          ) r
          WHERE r.rn <= p_per_tenant
          ORDER BY r.next_attempt_at
          LIMIT p_limit
        )
        UPDATE webhook_deliveries u
        SET status = 'sending', lease_until = p_now + p_lease, claimed_by = p_worker,
            attempts = u.attempts + 1, updated_at = p_now
        FROM fair
        WHERE u.tenant_id = fair.tenant_id AND u.id = fair.id
        RETURNING u.tenant_id, u.id, u.attempts
      $$`);

    /*
     * Lease recovery: a worker that died left rows in 'sending'. They go back to 'pending', due
     * now. The POST may have reached the receiver before the crash, so this may deliver an event
     * twice: at-least-once, deduplicated by the receiver on the event id. The attempt it made is
     * not counted twice against the retry budget (attempts is decremented back).
     */
    await q.query(`
      CREATE FUNCTION recover_expired_webhook_leases(p_now timestamptz, p_limit integer)
      RETURNS TABLE (tenant_id uuid, id uuid)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH expired AS MATERIALIZED (
          SELECT d.tenant_id, d.id FROM webhook_deliveries d
          WHERE d.status = 'sending' AND d.lease_until <= p_now
          ORDER BY d.lease_until
          LIMIT p_limit
          FOR UPDATE SKIP LOCKED
        )
        UPDATE webhook_deliveries u
        SET status = 'pending', next_attempt_at = p_now, lease_until = NULL, claimed_by = NULL,
            attempts = greatest(u.attempts - 1, 0), updated_at = p_now
        FROM expired
        WHERE u.tenant_id = expired.tenant_id AND u.id = expired.id
        RETURNING u.tenant_id, u.id
      $$`);

    /** Graceful shutdown: a stopping worker gives back the rows it claimed and did not finish. */
    await q.query(`
      CREATE FUNCTION release_webhook_leases(p_worker text, p_now timestamptz)
      RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH released AS (
          UPDATE webhook_deliveries
          SET status = 'pending', next_attempt_at = p_now, lease_until = NULL, claimed_by = NULL,
              attempts = greatest(attempts - 1, 0), updated_at = p_now
          WHERE status = 'sending' AND claimed_by = p_worker
          RETURNING 1
        )
        SELECT count(*)::integer FROM released
      $$`);

    for (const fn of [
      'claim_due_webhook_deliveries(timestamptz, integer, integer, interval, text)',
      'recover_expired_webhook_leases(timestamptz, integer)',
      'release_webhook_leases(text, timestamptz)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS release_webhook_leases(text, timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS recover_expired_webhook_leases(timestamptz, integer)`);
    await q.query(`DROP FUNCTION IF EXISTS claim_due_webhook_deliveries(timestamptz, integer, integer, interval, text)`);
    await q.query(`DROP TABLE IF EXISTS webhook_delivery_attempts`);
    await q.query(`DROP TABLE IF EXISTS webhook_deliveries`);
    await q.query(`DROP TABLE IF EXISTS outbox_events`);
    await q.query(`DROP TABLE IF EXISTS webhook_subscriptions`);
  }
}
