import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Aggregates for Prometheus. Counting across tenants is an explicit, read-only path: one
 * SECURITY DEFINER function that returns only counts, never rows.
 */
export class Metrics1764600000000 implements MigrationInterface {
  name = 'Metrics1764600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION metrics_snapshot(p_now timestamptz)
      RETURNS TABLE (metric text, label1 text, label2 text, value double precision)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT 'follow_ups', status, rule, count(*)::double precision FROM follow_ups
          WHERE status IN ('planned', 'awaiting_approval', 'sending', 'unknown') OR updated_at > p_now - interval '1 day'
          GROUP BY status, rule
        UNION ALL
        SELECT 'dispatch_lag_seconds', '', '', coalesce(extract(epoch FROM p_now - min(due_at)), 0)::double precision
          FROM follow_ups WHERE status = 'planned' AND kind = 'message' AND due_at <= p_now
        UNION ALL
        SELECT 'messages', channel, status, count(*)::double precision FROM messages
          WHERE created_at > p_now - interval '1 day'
          GROUP BY channel, status
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION metrics_snapshot(timestamptz) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION metrics_snapshot(timestamptz) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS metrics_snapshot(timestamptz)`);
  }
}
