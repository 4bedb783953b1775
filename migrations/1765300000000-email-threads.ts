import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email threads (issue 16): the conversation an email belongs to, per person (`lead:<id>`, or
 * `follow-up:<id>` for a follow-up without a lead and its nudges). A later email with the same key
 * to the same person answers the earlier ones (In-Reply-To/References, "Re: …"); an inbound reply
 * inherits the key of the message it answers, so it stays with the person and the lead.
 */
export class EmailThreads1765300000000 implements MigrationInterface {
  name = 'EmailThreads1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN thread_key text`);
    await q.query(`CREATE INDEX messages_thread_idx ON messages (tenant_id, thread_key, created_at) WHERE thread_key IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX messages_thread_idx`);
    await q.query(`ALTER TABLE messages DROP COLUMN thread_key`);
  }
}
