import type { MigrationInterface, QueryRunner } from 'typeorm';

/** A period's lead moves, by time (analytics outcomes, issue 15): joined to the period's follow-ups once instead of probed per lead. */
export class LeadMovesByTime1765400000006 implements MigrationInterface {
  name = 'LeadMovesByTime1765400000006';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX lead_status_history_changed_idx ON lead_status_history (tenant_id, changed_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS lead_status_history_changed_idx`);
  }
}
