import type { MigrationInterface, QueryRunner } from 'typeorm';

/** claim_due_follow_ups with the per-tenant rank given: the original's, or rows holding a sender slot first. */
function claimFunction(rank: string): string {
  return `
      CREATE OR REPLACE FUNCTION claim_due_follow_ups(p_now timestamptz, p_limit integer, p_per_tenant integer, p_lease interval, p_worker text)
      RETURNS TABLE (tenant_id uuid, id uuid)
      LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      AS $$
        WITH locked AS MATERIALIZED (
          SELECT f.tenant_id, f.id, f.due_at, f.rate_slot_at
          FROM follow_ups f
          WHERE f.status = 'planned' AND f.kind = 'message' AND f.due_at <= p_now
          ORDER BY f.due_at
          LIMIT p_limit * 8
          FOR UPDATE SKIP LOCKED
        ), fair AS MATERIALIZED (
          SELECT r.tenant_id, r.id FROM (
            SELECT l.tenant_id, l.id, l.due_at,
                   row_number() OVER (PARTITION BY l.tenant_id ORDER BY ${rank}) AS rn
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
      $$`;
}

/**
 * SMS pacing (see the dispatcher): an SMS whose sender slot is further ahead than a pass can
 * wait for is deferred holding its slot (rate_slot_at), due a little before it, so that a pass
 * claims it ahead of the slot and the executor sends it at the slot. Within a tenant's share of
 * a claim, rows holding a slot now come first: a tenant's backlog not yet given slots (due
 * earlier) would otherwise take its whole share for passes on end, and its held rows would be
 * claimed after their slots.
 *
 * recover_expired_follow_up_leases and release_follow_up_leases are unchanged: they already keep
 * rate_slot_at, so a paced row given back (its send never started) still holds its slot.
 */
export class SmsPacing1764800000000 implements MigrationInterface {
  name = 'SmsPacing1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(claimFunction('(l.rate_slot_at IS NULL), l.due_at'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(claimFunction('l.due_at'));
  }
}
