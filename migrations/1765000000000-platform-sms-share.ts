import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A fair share of a shared SMS sender (the platform's Twilio number or messaging service).
 *
 * reserve_sender_slot keeps one frontier per sender: a firm that queues 1,000 texts pushes every
 * other firm on the same sender 1,000 slots back. On a shared sender, slots are instead a calendar
 * of buckets (one per interval, sender_slot_buckets), and each firm has a lane of its own (a
 * sender_slots row keyed by the firm) spaced p_lane_interval apart (the sender's interval over the
 * firm's share). A firm takes the first free bucket at or after its lane's next slot, so its burst
 * takes at most its share of the buckets and leaves the gaps to the others, while the sender as a
 * whole never exceeds one text per bucket. One transaction-scoped advisory lock per sender
 * serialises the reservations; buckets older than ten minutes are dropped as it goes.
 */
export class PlatformSmsShare1765000000000 implements MigrationInterface {
  name = 'PlatformSmsShare1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE sender_slot_buckets (
        sender_key text NOT NULL,
        bucket bigint NOT NULL,
        CONSTRAINT sender_slot_buckets_pkey PRIMARY KEY (sender_key, bucket)
      )`);
    await q.query(`REVOKE ALL ON sender_slot_buckets FROM PUBLIC`);
    await q.query(`
      CREATE FUNCTION reserve_shared_sender_slot(p_sender text, p_lane text, p_now timestamptz, p_interval interval, p_lane_interval interval)
      RETURNS timestamptz
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
      DECLARE
        v_step double precision := extract(epoch FROM p_interval);
        v_from timestamptz;
        v_first bigint;
        v_bucket bigint;
        v_slot timestamptz;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtextextended('sender_slot:' || p_sender, 0));
        DELETE FROM sender_slot_buckets
        WHERE sender_key = p_sender AND bucket < floor(extract(epoch FROM p_now - interval '10 minutes') / v_step)::bigint;
        SELECT greatest(next_slot_at, p_now) INTO v_from FROM sender_slots WHERE sender_key = p_lane;
        v_first := ceil(extract(epoch FROM coalesce(v_from, p_now)) / v_step)::bigint;
        -- The first free bucket at or after v_first: v_first itself, or the bucket after a taken one.
        SELECT min(c.b) INTO v_bucket FROM (
          SELECT v_first AS b
          WHERE NOT EXISTS (SELECT 1 FROM sender_slot_buckets t WHERE t.sender_key = p_sender AND t.bucket = v_first)
          UNION ALL
          SELECT s.bucket + 1 FROM sender_slot_buckets s
          WHERE s.sender_key = p_sender AND s.bucket >= v_first
            AND NOT EXISTS (SELECT 1 FROM sender_slot_buckets t WHERE t.sender_key = p_sender AND t.bucket = s.bucket + 1)
        ) c;
        INSERT INTO sender_slot_buckets (sender_key, bucket) VALUES (p_sender, v_bucket);
        v_slot := to_timestamp(v_bucket * v_step);
        INSERT INTO sender_slots AS l (sender_key, next_slot_at) VALUES (p_lane, v_slot + p_lane_interval)
        ON CONFLICT (sender_key) DO UPDATE SET next_slot_at = v_slot + p_lane_interval;
        RETURN v_slot;
      END
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION reserve_shared_sender_slot(text, text, timestamptz, interval, interval) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION reserve_shared_sender_slot(text, text, timestamptz, interval, interval) TO touchpoint_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION IF EXISTS reserve_shared_sender_slot(text, text, timestamptz, interval, interval)`);
    await q.query(`DROP TABLE IF EXISTS sender_slot_buckets`);
  }
}
