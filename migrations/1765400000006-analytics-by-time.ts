import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A period's facts by time, for analytics (issue 15) to read them once and join them, instead of
 * one probe per subject: the lead moves of a month (outcomes), and the activities of the check-in
 * quiet period (gone quiet; messages already have messages_list_idx).
 */
export class AnalyticsByTime1765400000006 implements MigrationInterface {
  name = 'AnalyticsByTime1765400000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX lead_status_history_changed_idx ON lead_status_history (tenant_id, changed_at)`);
    await q.query(`CREATE INDEX activities_candidate_occurred_idx ON activities (tenant_id, occurred_at) WHERE candidate_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS activities_candidate_occurred_idx`);
    await q.query(`DROP INDEX IF EXISTS lead_status_history_changed_idx`);
  }
}
