import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reactions that failed (issue 12: "nothing lost, a failure is never silent").
 *
 * The reactions to a change's events (planning its follow-ups, …) run inside the transaction that
 * made the change, each in a savepoint. One that throws is rolled back to its savepoint and kept
 * here instead, in that same transaction: it commits with the change. The reaction worker retries
 * it once `next_attempt_at` has come, with backoff; each retry is one tenant transaction that
 * locks the row (FOR UPDATE SKIP LOCKED), runs the handler and marks it done, so its writes commit
 * exactly once and two processes never retry the same row at once.
 *
 *   status: pending (failing, retried) → done | dead (given up after many attempts; an admin can retry it)
 */
export class Reactions1764900000000 implements MigrationInterface {
  name = 'Reactions1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE reactions (
        tenant_id uuid NOT NULL,
        id uuid NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY,
        event_id uuid NOT NULL,
        event_type text NOT NULL,
        reaction text NOT NULL,
        payload jsonb NOT NULL,
        actor_kind text,
        actor_id text,
        occurred_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        last_error text,
        last_error_at timestamptz,
        created_at timestamptz NOT NULL,
        done_at timestamptz,
        CONSTRAINT reactions_pkey PRIMARY KEY (tenant_id, id),
        CONSTRAINT reactions_tenant_fkey FOREIGN KEY (tenant_id) REFERENCES tenants (id) ON DELETE CASCADE,
        CONSTRAINT reactions_event_reaction_key UNIQUE (tenant_id, event_id, reaction),
        CONSTRAINT reactions_status_check CHECK (status IN ('pending', 'done', 'dead')),
        CONSTRAINT reactions_last_error_check CHECK (char_length(last_error) <= 2000)
      )`);
    // The worker's queue: pending rows only, by when they are due (due_reactions below).
    await q.query(`CREATE INDEX reactions_due_idx ON reactions (next_attempt_at) WHERE status = 'pending'`);
    // The admin view (failing and dead, per tenant, oldest first) and the purge of done rows.
    await q.query(`CREATE INDEX reactions_open_idx ON reactions (tenant_id, seq) WHERE status <> 'done'`);
    await q.query(`CREATE INDEX reactions_done_idx ON reactions (done_at) WHERE status = 'done'`);

    await q.query(`ALTER TABLE reactions ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE reactions FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE POLICY reactions_isolation ON reactions
        USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant())`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON reactions TO touchpoint_app`);

    // The one cross-tenant read: which pending reactions are due. Ids only; each is then run in
    // its tenant's transaction under RLS. SKIP LOCKED passes over rows a process is running now.
    //   SELECT tenant_id, id FROM reactions WHERE status = 'pending' AND next_attempt_at <= p_now
    //   ORDER BY next_attempt_at LIMIT p_limit                         -- reactions_due_idx
    await q.query(`
      CREATE FUNCTION due_reactions(p_now timestamptz, p_limit integer)
      RETURNS TABLE (tenant_id uuid, id uuid)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT r.tenant_id, r.id FROM reactions r
        WHERE r.status = 'pending' AND r.next_attempt_at <= p_now
        ORDER BY r.next_attempt_at, r.seq
        LIMIT p_limit
        FOR UPDATE SKIP LOCKED
      $$`);
    // Done rows are kept a while for inspection, then removed in bounded batches.
    await q.query(`
      CREATE FUNCTION purge_done_reactions(p_before timestamptz, p_limit integer)
      RETURNS integer
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH gone AS (
          DELETE FROM reactions r USING (
            SELECT tenant_id, id FROM reactions WHERE status = 'done' AND done_at < p_before
            ORDER BY done_at LIMIT p_limit FOR UPDATE SKIP LOCKED) old
          WHERE r.tenant_id = old.tenant_id AND r.id = old.id
          RETURNING 1)
        SELECT count(*)::integer FROM gone
      $$`);
    // For /metrics: reactions failing (retried) and dead, across tenants, and the oldest one's age.
    await q.query(`
      CREATE FUNCTION reaction_metrics(p_now timestamptz)
      RETURNS TABLE (state text, reaction text, value double precision)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT CASE WHEN status = 'dead' THEN 'dead' ELSE 'failing' END, reaction, count(*)::double precision
        FROM reactions WHERE status <> 'done'
        GROUP BY 1, 2
        UNION ALL
        SELECT 'oldest_pending_seconds', '', coalesce(extract(epoch FROM p_now - min(occurred_at)), 0)::double precision
        FROM reactions WHERE status = 'pending'
      $$`);
    for (const fn of ['due_reactions(timestamptz, integer)', 'purge_done_reactions(timestamptz, integer)', 'reaction_metrics(timestamptz)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${fn} TO touchpoint_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS reaction_metrics(timestamptz)`);
    await q.query(`DROP FUNCTION IF EXISTS purge_done_reactions(timestamptz, integer)`);
    await q.query(`DROP FUNCTION IF EXISTS due_reactions(timestamptz, integer)`);
    await q.query(`DROP TABLE IF EXISTS reactions`);
  }
}
