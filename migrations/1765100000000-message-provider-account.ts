import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Twilio account a message went through (issue 17, webhook trust): its AccountSid, recorded
 * when the message is prepared (outbound) or received (inbound). A status callback for an
 * outbound message is trusted only when signed with that account's auth token, so a firm that
 * has connected its own account no longer accepts the platform's signature for its messages,
 * and the platform's signature still verifies callbacks of messages the platform account sent.
 * Messages from before this column have none (email and log messages never have one).
 */
export class MessageProviderAccount1765100000000 implements MigrationInterface {
  name = 'MessageProviderAccount1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN provider_account text`);
    await q.query(`ALTER TABLE messages ADD CONSTRAINT messages_provider_account_check CHECK (provider_account IS NULL OR provider_account ~ '^AC[0-9A-Za-z]{32}$')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN provider_account`);
  }
}
