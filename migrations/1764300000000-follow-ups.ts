import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The follow-up engine's tables.
 *
 * follow_ups is the source of truth for every planned message or recruiter task. Its unique
 * (tenant_id, dedupe_key) makes planning idempotent: a double event, a retried request or two
 * processes planning the same thing insert one row (INSERT … ON CONFLICT DO NOTHING).
 *
 * The dispatcher's claim is the one cross-tenant path, through claim_due_follow_ups() (SECURITY
 * DEFINER): it returns only (tenant_id, id) pairs it has just leased. Everything after the claim
 * runs per tenant, under RLS. The partial index follow_ups_claim_idx holds only planned rows, so
 * the claim's cost does not grow with follow-ups planned far in the future, nor with sent history.
 */
export class FollowUps1764300000000 implements MigrationInterface {
  name = 'FollowUps1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE follow_ups (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        rule text NOT NULL,
        kind text NOT NULL DEFAULT 'message',
        dedupe_key text NOT NULL,
        status text NOT NULL,
        candidate_id uuid,
        lead_id uuid,
        interview_id uuid,
        recipient_type text NOT NULL,
        recipient_candidate_id uuid,
        recipient_contact_id uuid,
        owner_user_id uuid,
        parent_follow_up_id uuid,
        nudge_number integer,
        occurrence text NOT NULL,
        channel text,
        due_at timestamptz NOT NULL,
        lease_until timestamptz,
        claimed_by text,
        attempts integer NOT NULL DEFAULT 0,
        send_started_at timestamptz,
        rate_slot_at timestamptz,
        requires_approval boolean NOT NULL DEFAULT false,
        approved_at timestamptz,
        approved_by_user_id uuid,
        reason text,
        error_code text,
        message_id uuid,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT follow_ups_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT follow_ups_dedupe_key UNIQUE (tenant_id, dedupe_key),
        CONSTRAINT follow_ups_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT follow_ups_candidate_fkey FOREIGN KEY (tenant_id, candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT follow_ups_lead_fkey FOREIGN KEY (tenant_id, lead_id) REFERENCES leads (tenant_id, id),
        CONSTRAINT follow_ups_interview_fkey FOREIGN KEY (tenant_id, interview_id) REFERENCES interviews (tenant_id, id),
        CONSTRAINT follow_ups_message_fkey FOREIGN KEY (tenant_id, message_id) REFERENCES messages (tenant_id, id),
        CONSTRAINT follow_ups_recipient_candidate_fkey FOREIGN KEY (tenant_id, recipient_candidate_id) REFERENCES candidates (tenant_id, id),
        CONSTRAINT follow_ups_recipient_contact_fkey FOREIGN KEY (tenant_id, recipient_contact_id) REFERENCES contacts (tenant_id, id),
        CONSTRAINT follow_ups_owner_fkey FOREIGN KEY (tenant_id, owner_user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT follow_ups_approved_by_fkey FOREIGN KEY (tenant_id, approved_by_user_id) REFERENCES users (tenant_id, id),
        CONSTRAINT follow_ups_parent_fkey FOREIGN KEY (tenant_id, parent_follow_up_id) REFERENCES follow_ups (tenant_id, id),
        CONSTRAINT follow_ups_kind_check CHECK (kind IN ('message', 'task')),
        CONSTRAINT follow_ups_status_check CHECK (status IN
          ('planned', 'awaiting_approval', 'sending', 'sent', 'failed', 'unknown', 'cancelled', 'skipped')),
        CONSTRAINT follow_ups_recipient_check CHECK (
          (recipient_type = 'candidate' AND recipient_candidate_id IS NOT NULL AND recipient_contact_id IS NULL) OR
          (recipient_type = 'contact' AND recipient_contact_id IS NOT NULL AND recipient_candidate_id IS NULL) OR
          (recipient_type = 'user' AND recipient_candidate_id IS NULL AND recipient_contact_id IS NULL)),
        CONSTRAINT follow_ups_channel_check CHECK (channel IN ('email', 'sms', 'phone'))
      )`);
    // The claim: only planned rows, in due order. Sent and cancelled history never enters it.
    // Recruiter tasks (kind 'task') are planned too, but only messages are dispatched.
    await q.query(`CREATE INDEX follow_ups_claim_idx ON follow_ups (due_at) WHERE status = 'planned' AND kind = 'message'`);
    // Lease recovery: rows a crashed dispatcher left in 'sending'.
    await q.query(`CREATE INDEX follow_ups_lease_idx ON follow_ups (lease_until) WHERE status = 'sending'`);
    // The agenda and per-object previews.
    await q.query(`CREATE INDEX follow_ups_agenda_idx ON follow_ups (tenant_id, due_at, id)`);
    await q.query(`CREATE INDEX follow_ups_lead_idx ON follow_ups (tenant_id, lead_id) WHERE lead_id IS NOT NULL`);
    await q.query(`CREATE INDEX follow_ups_interview_idx ON follow_ups (tenant_id, interview_id) WHERE interview_id IS NOT NULL`);
    await q.query(`CREATE INDEX follow_ups_candidate_idx ON follow_ups (tenant_id, candidate_id) WHERE candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX follow_ups_recipient_contact_idx ON follow_ups (tenant_id, recipient_contact_id) WHERE recipient_contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX follow_ups_recipient_candidate_idx ON follow_ups (tenant_id, recipient_candidate_id) WHERE recipient_candidate_id IS NOT NULL`);

    await q.query(`
      CREATE TABLE follow_up_attempts (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL DEFAULT gen_random_uuid(),
        follow_up_id uuid NOT NULL,
        attempt integer NOT NULL,
        outcome text NOT NULL,
        channel text,
        code text,
        reason text,
        message_id uuid,
        at timestamptz NOT NULL,
        CONSTRAINT follow_up_attempts_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT follow_up_attempts_follow_up_fkey FOREIGN KEY (tenant_id, follow_up_id) REFERENCES follow_ups (tenant_id, id) ON DELETE CASCADE,
        CONSTRAINT follow_up_attempts_outcome_check CHECK (outcome IN
          ('sent', 'retry', 'failed', 'unknown', 'skipped', 'deferred', 'cancelled', 'blocked', 'task'))
      )`);
    // A message that fulfils a follow-up points back at it.
    await q.query(`
      ALTER TABLE messages ADD CONSTRAINT messages_follow_up_fkey
        FOREIGN KEY (tenant_id, follow_up_id) REFERENCES follow_ups (tenant_id, id)`);

    await q.query(`CREATE INDEX follow_up_attempts_follow_up_idx ON follow_up_attempts (tenant_id, follow_up_id, attempt)`);

    // Per-tenant daily SMS cap: one counter row per tenant and local day.
    await q.query(`
      CREATE TABLE sms_daily_usage (
        tenant_id uuid NOT NULL,
        day date NOT NULL,
        sent integer NOT NULL DEFAULT 0,
        CONSTRAINT sms_daily_usage_pkey PRIMARY KEY (tenant_id, day),
        CONSTRAINT sms_daily_usage_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE
      )`);

    for (const table of ['follow_ups', 'follow_up_attempts', 'sms_daily_usage']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await q.query(`
        CREATE POLICY ${table}_isolation ON ${table}
          USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
      await q.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${table} TO touchpoint_app`);
    }

    // Per-sender rate limit, shared by every dispatcher process. Not tenant data: a sender is a
    // phone number or messaging service, keyed by an opaque hash. Only the functions touch it.
    await q.query(`
      CREATE TABLE sender_slots (
        sender_key text NOT NULL,
        next_slot_at timestamptz NOT NULL,
        CONSTRAINT sender_slots_pkey PRIMARY KEY (sender_key)
      )`);
    await q.query(`REVOKE ALL ON sender_slots FROM PUBLIC`);

    /*
     * The claim. Fair across tenants: at most p_per_tenant rows per tenant per batch, so one
     * tenant's backlog cannot starve another. The due-time comparison uses p_now, the injected
     * clock's time, never now(). The inner LIMIT sits in a MATERIALIZED CTE so the planner cannot
     * push the UPDATE's join into it and lock more rows than it returns.
     *
     *   WITH due AS MATERIALIZED (
     *     SELECT tenant_id, id, due_at FROM (
     *       SELECT f.tenant_id, f.id, f.due_at,
     *              row_number() OVER (PARTITION BY f.tenant_id ORDER BY f.due_at) AS rn
     *       FROM (SELECT tenant_id, id, due_at FROM follow_ups
     *             WHERE status = 'planned' AND kind = 'message'       -- follow_ups_claim_idx
     *               AND due_at <= $now
     *             ORDER BY due_at LIMIT $limit * 8
     *             FOR UPDATE SKIP LOCKED) f) ranked
     *     WHERE rn <= $per_tenant ORDER BY due_at LIMIT $limit)
     *   UPDATE follow_ups SET status = 'sending', lease_until = $now + $lease, ...
     */
    await q.query(`
      CREATE FUNCTION claim_due_follow_ups(p_now timestamptz, p_limit integer, p_per_tenant integer, p_lease interval, p_worker text)
      RETURNS TABLE (tenant_id uuid, id uuid)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH locked AS MATERIALIZED (
          SELECT f.tenant_id, f.id, f.due_at
          FROM follow_ups f
          WHERE f.status = 'planned' AND f.kind = 'message' AND f.due_at <= p_now
          ORDER BY f.due_at
          LIMIT p_limit * 8
          FOR UPDATE SKIP LOCKED
        ), fair AS MATERIALIZED (
          SELECT r.tenant_id, r.id FROM (
            SELECT l.tenant_id, l.id, l.due_at,
                   row_number() OVER (PARTITION BY l.tenant_id ORDER BY l.due_at) AS rn
            FROM locked l
          ) r
          WHERE r.rn <= p_per_tenant
          ORDER BY r.due_at
          LIMIT p_limit
        )
        UPDATE follow_ups u
        SET status = 'sending', lease_until = p_now + p_lease, claimed_by = p_worker,
            attempts = u.attempts + 1, send_started_at = NULL, updated_at = p_now
        FROM fair
        WHERE u.tenant_id = fair.tenant_id AND u.id = fair.id
        RETURNING u.tenant_id, u.id
      $$`);

    /*
     * Lease recovery: a dispatcher that died left rows in 'sending'. A row whose send had not
     * started goes back to 'planned' (nothing was sent: nothing is lost). A row whose send had
     * started may have reached the provider: it becomes 'unknown', never resent blindly; the
     * status callback (which carries our message id) or a recruiter reconciles it.
     */
    await q.query(`
      CREATE FUNCTION recover_expired_follow_up_leases(p_now timestamptz, p_limit integer)
      RETURNS TABLE (tenant_id uuid, id uuid, status text)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH expired AS MATERIALIZED (
          SELECT f.tenant_id, f.id FROM follow_ups f
          WHERE f.status = 'sending' AND f.lease_until <= p_now
          ORDER BY f.lease_until
          LIMIT p_limit
          FOR UPDATE SKIP LOCKED
        )
        UPDATE follow_ups u
        SET status = CASE WHEN u.send_started_at IS NULL THEN 'planned' ELSE 'unknown' END,
            reason = CASE WHEN u.send_started_at IS NULL THEN u.reason
                          ELSE 'the dispatcher stopped after handing the message to the provider; awaiting its status' END,
            lease_until = NULL, claimed_by = NULL, updated_at = p_now
        FROM expired
        WHERE u.tenant_id = expired.tenant_id AND u.id = expired.id
        RETURNING u.tenant_id, u.id, u.status
      $$`);

    /**
     * Reserves the next send slot of one sender (rate limit shared across processes): returns
     * the moment this send may go. The caller sends now if it is not later than now, else it
     * defers the follow-up to that moment.
     */
    await q.query(`
      CREATE FUNCTION reserve_sender_slot(p_sender text, p_now timestamptz, p_interval interval)
      RETURNS timestamptz
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        INSERT INTO sender_slots AS s (sender_key, next_slot_at) VALUES (p_sender, p_now + p_interval)
        ON CONFLICT (sender_key) DO UPDATE
          SET next_slot_at = greatest(s.next_slot_at, p_now) + p_interval
        RETURNING next_slot_at - p_interval
      $$`);

    /** Graceful shutdown: a stopping dispatcher gives back the rows it claimed but never started. */
    await q.query(`
      CREATE FUNCTION release_follow_up_leases(p_worker text, p_now timestamptz)
      RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH released AS (
          UPDATE follow_ups SET status = 'planned', lease_until = NULL, claimed_by = NULL, updated_at = p_now
          WHERE status = 'sending' AND claimed_by = p_worker AND send_started_at IS NULL
          RETURNING 1
        )
        SELECT count(*)::integer FROM released
      $$`);

    for (const fn of [
      'release_follow_up_leases(text, timestamptz)',
      'claim_due_follow_ups(timestamptz, integer, integer, interval, text)',
      'recover_expired_follow_up_leases(timestamptz, integer)',
      'reserve_sender_slot(text, timestamptz, interval)',
    ]) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS release_follow_up_leases(text, timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS reserve_sender_slot(text, timestamptz, interval)`);
    await q.query(`DROP FUNCTION IF EXISTS recover_expired_follow_up_leases(timestamptz, integer)`);
    await q.query(`DROP FUNCTION IF EXISTS claim_due_follow_ups(timestamptz, integer, integer, interval, text)`);
    await q.query(`DROP TABLE IF EXISTS sender_slots`);
    await q.query(`DROP TABLE IF EXISTS sms_daily_usage`);
    await q.query(`DROP TABLE IF EXISTS follow_up_attempts`);
    await q.query(`ALTER TABLE messages DROP CONSTRAINT IF EXISTS messages_follow_up_fkey`);
    await q.query(`DROP TABLE IF EXISTS follow_ups`);
  }
}
