import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The opt-outs of a period, by time (analytics: opt-out rate, issue 15). Opt-outs are few: read them first, then the sends they followed. */
export class ConsentOptOutIndex1765400000005 implements MigrationInterface {
  name = 'ConsentOptOutIndex1765400000005';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX consent_events_opt_out_idx ON consent_events (tenant_id, created_at) WHERE status = 'opted_out'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS consent_events_opt_out_idx`);
  }
}
