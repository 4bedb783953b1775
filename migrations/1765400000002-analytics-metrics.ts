import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Prometheus gauges of analytics (issue 15), cheap ones only: per tenant, the follow-ups settled
 * in the last day by status (follow_ups_settled_idx, one index range per tenant) and the inbound
 * messages of the last day by channel (messages_list_idx). Reply and outcome rates need a probe
 * per send and are served by the API, not scraped. Cross-tenant like metrics_snapshot: SECURITY
 * DEFINER, counts only.
 */
export class AnalyticsMetrics1765400000002 implements MigrationInterface {
  name = 'AnalyticsMetrics1765400000002';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION analytics_metrics(p_now timestamptz)
      RETURNS TABLE (tenant_id uuid, metric text, label text, value double precision)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT t.id, 'follow_ups_settled_24h', s.status, s.n FROM tenants t CROSS JOIN LATERAL (
          SELECT f.status, count(*)::double precision AS n FROM follow_ups f
           WHERE f.tenant_id = t.id AND f.kind = 'message' AND f.status IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled')
             AND COALESCE(f.sent_at, f.updated_at) >= p_now - interval '1 day' AND COALESCE(f.sent_at, f.updated_at) < p_now
           GROUP BY f.status) s
        UNION ALL
        SELECT t.id, 'inbound_messages_24h', m.channel, m.n FROM tenants t CROSS JOIN LATERAL (
          SELECT x.channel, count(*)::double precision AS n FROM messages x
           WHERE x.tenant_id = t.id AND x.created_at >= p_now - interval '1 day' AND x.created_at < p_now AND x.direction = 'in'
           GROUP BY x.channel) m
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION analytics_metrics(timestamptz) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION analytics_metrics(timestamptz) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS analytics_metrics(timestamptz)`);
  }
}
