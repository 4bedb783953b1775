import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Reply and outcome analytics (issue 15): the indexes its queries use, and the template variant
 * each follow-up went out with.
 *
 *   - follow_ups_settled_idx: the follow-ups of a period, by when they were settled (sent, or
 *     failed, skipped or cancelled: `COALESCE(sent_at, updated_at)`), messages only.
 *   - inbound messages and activities per person by time: "the first answer after the send" is one
 *     short index range per follow-up (index-only when the visibility map allows).
 */
export class Analytics1765400000000 implements MigrationInterface {
  name = 'Analytics1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE follow_ups ADD COLUMN variant text`);
    await q.query(`ALTER TABLE follow_ups ADD CONSTRAINT follow_ups_variant_check CHECK (variant IS NULL OR char_length(variant) BETWEEN 1 AND 40)`);
    await q.query(`
      CREATE INDEX follow_ups_settled_idx ON follow_ups (tenant_id, (COALESCE(sent_at, updated_at)))
        WHERE kind = 'message' AND status IN ('sent', 'failed', 'unknown', 'skipped', 'cancelled')`);
    await q.query(`CREATE INDEX messages_inbound_candidate_idx ON messages (tenant_id, candidate_id, created_at) WHERE direction = 'in' AND candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX messages_inbound_contact_idx ON messages (tenant_id, contact_id, created_at) WHERE direction = 'in' AND contact_id IS NOT NULL`);
    await q.query(`CREATE INDEX activities_inbound_candidate_idx ON activities (tenant_id, candidate_id, occurred_at) WHERE direction = 'in' AND candidate_id IS NOT NULL`);
    await q.query(`CREATE INDEX activities_inbound_contact_idx ON activities (tenant_id, contact_id, occurred_at) WHERE direction = 'in' AND contact_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of ['activities_inbound_contact_idx', 'activities_inbound_candidate_idx', 'messages_inbound_contact_idx', 'messages_inbound_candidate_idx', 'follow_ups_settled_idx']) {
      await q.query(`DROP INDEX IF EXISTS ${index}`);
    }
    await q.query(`ALTER TABLE follow_ups DROP COLUMN IF EXISTS variant`);
  }
}
