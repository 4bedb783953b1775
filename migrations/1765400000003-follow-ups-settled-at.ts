import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When a follow-up was settled (sent, failed, unknown, skipped or cancelled), kept by a trigger so
 * no code path can forget it: `COALESCE(sent_at, updated_at)` at the moment its status became a
 * settled one, NULL while it is pending. Analytics periods use it (issue 15). `updated_at` is not
 * enough: erasure scrubs a settled follow-up's texts later and moves its `updated_at`, which would
 * move an old skip or cancellation into today's figures.
 */
export class FollowUpsSettledAt1765400000003 implements MigrationInterface {
  name = 'FollowUpsSettledAt1765400000003';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE follow_ups ADD COLUMN settled_at timestamptz`);
    // The owner is subject to row-level security (FORCE): lifted for the backfill only, in this transaction.
    await q.query(`ALTER TABLE follow_ups NO FORCE ROW LEVEL SECURITY`);
    await q.query(`
      UPDATE follow_ups SET settled_at = COALESCE(sent_at, updated_at)
       WHERE status IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled')`);
    await q.query(`ALTER TABLE follow_ups FORCE ROW LEVEL SECURITY`);
    await q.query(`
      CREATE FUNCTION follow_ups_settled_at() RETURNS trigger
      LANGUAGE plpgsql
      AS $$
      BEGIN
        IF NEW.status NOT IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled') THEN
          NEW.settled_at := NULL;
        ELSIF TG_OP = 'INSERT' OR OLD.status IS DISTINCT FROM NEW.status OR OLD.settled_at IS NULL THEN
          NEW.settled_at := COALESCE(NEW.sent_at, NEW.updated_at);
        ELSE
          NEW.settled_at := OLD.settled_at;
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`
      CREATE TRIGGER follow_ups_settled_at BEFORE INSERT OR UPDATE ON follow_ups
        FOR EACH ROW EXECUTE FUNCTION follow_ups_settled_at()`);
    await q.query(`DROP INDEX IF EXISTS follow_ups_settled_idx`);
    await q.query(`CREATE INDEX follow_ups_settled_idx ON follow_ups (tenant_id, settled_at) WHERE kind = 'message' AND settled_at IS NOT NULL`);
    await q.query(`
      CREATE OR REPLACE FUNCTION analytics_metrics(p_now timestamptz)
      RETURNS TABLE (tenant_id uuid, metric text, label text, value double precision)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        SELECT t.id, 'follow_ups_settled_24h', s.status, s.n FROM tenants t CROSS JOIN LATERAL (
          SELECT f.status, count(*)::double precision AS n FROM follow_ups f
           WHERE f.tenant_id = t.id AND f.kind = 'message' AND f.settled_at >= p_now - interval '1 day' AND f.settled_at < p_now
           GROUP BY f.status) s
        UNION ALL
        SELECT t.id, 'inbound_messages_24h', m.channel, m.n FROM tenants t CROSS JOIN LATERAL (
          SELECT x.channel, count(*)::double precision AS n FROM messages x
           WHERE x.tenant_id = t.id AND x.created_at >= p_now - interval '1 day' AND x.created_at < p_now AND x.direction = 'in'
           GROUP BY x.channel) m
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS follow_ups_settled_at ON follow_ups`);
    await q.query(`DROP FUNCTION IF EXISTS follow_ups_settled_at()`);
    await q.query(`DROP INDEX IF EXISTS follow_ups_settled_idx`);
    await q.query(`
      CREATE INDEX follow_ups_settled_idx ON follow_ups (tenant_id, (COALESCE(sent_at, updated_at)))
        WHERE kind = 'message' AND status IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled')`);
    await q.query(`ALTER TABLE follow_ups DROP COLUMN IF EXISTS settled_at`);
  }
}
